import Foundation
import HTTP
import HTTPClient
import Testing

/// The client against the loopback stand-in server (Tests/StandIns/http_test_server.py).
@Suite struct HTTPClientLiveTests {
    let client = HTTPClient()

    private func server() async throws -> StandInServer { try await StandInServer.shared.value }

    private struct Echo: Decodable {
        var method: String
        var query: String
        var headers: [[String]]
        var body: String

        func values(_ name: String) -> [String] {
            headers.filter { $0.first?.lowercased() == name.lowercased() }.map { $0.count > 1 ? $0[1] : "" }
        }
    }

    private func echo(_ response: ClientResponse) throws -> Echo {
        try JSONDecoder().decode(Echo.self, from: Data(response.body))
    }

    @Test func getSendsHeadersAndReturnsStatusHeadersAndBody() async throws {
        let server = try await server()
        let response = try await client.execute(ClientRequest(
            url: server.url("/echo?a=1&b=2"), headers: ["Authorization": "Bearer t0k", "X-Empty": ""]))
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "application/json")
        let seen = try echo(response)
        #expect(seen.method == "GET")
        #expect(seen.query == "a=1&b=2")
        #expect(seen.values("Authorization") == ["Bearer t0k"])
        #expect(seen.values("X-Empty") == [""])
        #expect(seen.values("User-Agent") == ["runway/1 libcurl"])
        #expect(seen.values("traceparent").isEmpty)
        #expect(seen.values("Expect").isEmpty)
    }

    @Test func postSendsBodyAndOnlyTheCallersContentType() async throws {
        let server = try await server()
        let json = try await client.execute(ClientRequest(
            method: "POST", url: server.url("/echo"), headers: ["Content-Type": "application/json"],
            body: Array(#"{"k":"v"}"#.utf8)))
        let seen = try echo(json)
        #expect(seen.method == "POST")
        #expect(seen.body == #"{"k":"v"}"#)
        #expect(seen.values("Content-Type") == ["application/json"])

        let bare = try echo(await client.execute(ClientRequest(method: "POST", url: server.url("/echo"))))
        #expect(bare.values("Content-Type").isEmpty)
        #expect(bare.values("Content-Length") == ["0"])
    }

    @Test(arguments: ["PUT", "PATCH", "DELETE", "OPTIONS"])
    func otherMethodsAreSentAsGiven(_ method: String) async throws {
        let server = try await server()
        let body: [UInt8] = method == "DELETE" ? [] : Array("payload".utf8)
        let seen = try echo(await client.execute(ClientRequest(method: method, url: server.url("/echo"), body: body)))
        #expect(seen.method == method)
        #expect(seen.body == String(decoding: body, as: UTF8.self))
    }

    @Test func headHasNoBody() async throws {
        let server = try await server()
        let response = try await client.execute(ClientRequest(method: "HEAD", url: server.url("/bytes?n=10")))
        #expect(response.status == 200)
        #expect(response.headers["Content-Length"] == "10")
        #expect(response.body.isEmpty)
    }

    @Test func repeatedResponseFieldsAreAllKept() async throws {
        let server = try await server()
        let response = try await client.execute(ClientRequest(url: server.url("/multi")))
        #expect(response.headers.values(for: "x-multi") == ["a", "b"])
        #expect(response.headers.values(for: "Set-Cookie") == ["a=1", "b=2"])
        #expect(response.text == "multi")
    }

    @Test func wholeRequestTimeoutFires() async throws {
        let server = try await server()
        let start = ContinuousClock.now
        await #expect {
            try await client.execute(ClientRequest(url: server.url("/slow?ms=3000&token=secret"), timeout: .milliseconds(300)))
        } throws: { error in
            guard let error = error as? HTTPClientError else { return false }
            return error.code == .timeout && !error.message.contains("secret") && error.message.contains("/slow")
        }
        #expect(ContinuousClock.now - start < .seconds(2))
    }

    @Test func connectFailureIsTypedAndRedacted() async throws {
        let port = try closedPort()
        await #expect {
            try await client.execute(ClientRequest(url: "http://127.0.0.1:\(port)/x?sig=secret"))
        } throws: { error in
            guard let error = error as? HTTPClientError else { return false }
            return error.code == .connect && !error.message.contains("secret")
        }
    }

    @Test func retriesHonourRetryAfterSeconds() async throws {
        let server = try await server()
        let key = UUID().uuidString
        let start = ContinuousClock.now
        let response = try await client.execute(ClientRequest(
            url: server.url("/flaky?key=\(key)&fail=1&retry_after=1"),
            retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(1))))
        let elapsed = ContinuousClock.now - start
        #expect(response.status == 200)
        #expect(elapsed >= .seconds(1))
        #expect(elapsed < .seconds(3))
        #expect(try await hits(key) == 2)
    }

    @Test func retryAfterIsCappedByMaxDelay() async throws {
        let server = try await server()
        let key = UUID().uuidString
        let start = ContinuousClock.now
        let response = try await client.execute(ClientRequest(
            url: server.url("/flaky?key=\(key)&fail=1&retry_after=30"),
            retry: RetryPolicy(maxDelay: .milliseconds(200))))
        #expect(response.status == 200)
        #expect(ContinuousClock.now - start < .seconds(2))
    }

    @Test func givesUpAfterMaxAttemptsAndReturnsTheLastResponse() async throws {
        let server = try await server()
        let key = UUID().uuidString
        let response = try await client.execute(ClientRequest(
            url: server.url("/flaky?key=\(key)&fail=10&status=502"),
            retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(1))))
        #expect(response.status == 502)
        #expect(try await hits(key) == 3)
    }

    @Test func postIsNotRetriedUnlessDeclaredIdempotent() async throws {
        let server = try await server()
        let once = UUID().uuidString
        let refused = try await client.execute(ClientRequest(
            method: "POST", url: server.url("/flaky?key=\(once)&fail=1"), retry: RetryPolicy(baseDelay: .milliseconds(1))))
        #expect(refused.status == 503)
        #expect(try await hits(once) == 1)

        let twice = UUID().uuidString
        let retried = try await client.execute(ClientRequest(
            method: "POST", url: server.url("/flaky?key=\(twice)&fail=1"),
            retry: RetryPolicy(baseDelay: .milliseconds(1), retryNonIdempotent: true)))
        #expect(retried.status == 200)
        #expect(try await hits(twice) == 2)
    }

    @Test func traceparentComesFromTheTaskLocalContext() async throws {
        let server = try await server()
        let trace = TraceContext.newRoot()
        let seen = try await TraceContext.$current.withValue(trace) {
            try echo(await client.execute(ClientRequest(url: server.url("/echo"))))
        }
        #expect(seen.values("traceparent") == [trace.traceparent])

        let own = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        let kept = try await TraceContext.$current.withValue(trace) {
            try echo(await client.execute(ClientRequest(url: server.url("/echo"), headers: ["traceparent": own])))
        }
        #expect(kept.values("traceparent") == [own])
    }

    @Test func oversizedBodyIsRefused() async throws {
        let server = try await server()
        let small = HTTPClient(configuration: .init(maxResponseBodyBytes: 1000))
        defer { small.shutdown() }
        #expect(try await small.execute(ClientRequest(url: server.url("/bytes?n=1000"))).body.count == 1000)
        await #expect {
            try await small.execute(ClientRequest(url: server.url("/bytes?n=5000")))
        } throws: { error in
            (error as? HTTPClientError)?.code == .other
        }
    }

    @Test func connectionsAreReused() async throws {
        let server = try await server()
        let first = try await client.execute(ClientRequest(url: server.url("/peer"))).text
        let second = try await client.execute(ClientRequest(url: server.url("/peer"))).text
        #expect(first == second)
    }

    @Test func redirectsAreReturnedUnlessFollowingIsAsked() async throws {
        let server = try await server()
        let plain = try await client.execute(ClientRequest(url: server.url("/redirect")))
        #expect(plain.status == 302)
        #expect(plain.headers["Location"] == "/echo")
        let followed = try await client.execute(ClientRequest(url: server.url("/redirect"), maxRedirects: 1))
        #expect(followed.status == 200)
        #expect(try echo(followed).method == "GET")
    }

    @Test func twoHundredConcurrentRequestsComplete() async throws {
        let server = try await server()
        let statuses = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for index in 0..<200 {
                group.addTask {
                    let response = try await client.execute(ClientRequest(url: server.url("/echo?i=\(index)")))
                    return (response.status, try echo(response).query)
                }
            }
            return try await group.reduce(into: [(Int, String)]()) { $0.append($1) }
        }
        #expect(statuses.count == 200)
        #expect(statuses.allSatisfy { $0.0 == 200 })
        #expect(Set(statuses.map(\.1)) == Set((0..<200).map { "i=\($0)" }))
    }

    @Test func cancellingTheTaskAbortsTheTransfer() async throws {
        let server = try await server()
        let start = ContinuousClock.now
        let task = Task { try await client.execute(ClientRequest(url: server.url("/slow?ms=3000"))) }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(ContinuousClock.now - start < .seconds(2))
    }

    @Test func shutdownFailsRunningAndLaterRequests() async throws {
        let server = try await server()
        let doomed = HTTPClient()
        let running = Task { try await doomed.execute(ClientRequest(url: server.url("/slow?ms=3000"))) }
        try await Task.sleep(for: .milliseconds(100))
        doomed.shutdown()
        doomed.shutdown()
        await #expect { try await running.value } throws: { ($0 as? HTTPClientError)?.code == .shutdown }
        await #expect { try await doomed.execute(ClientRequest(url: server.url("/echo"))) } throws: {
            ($0 as? HTTPClientError)?.code == .shutdown
        }
    }

    private func hits(_ key: String) async throws -> Int? {
        let server = try await server()
        return Int(try await client.execute(ClientRequest(url: server.url("/hits?key=\(key)"))).text)
    }

    /// A loopback port nothing listens on: bound, then closed.
    private func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        try #require(bound)
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

import Foundation
import HTTP
import Testing

@Suite("HTTP server: timeouts, connection limits and drain", .serialized)
struct ServerLimitTests {
    @Test func slowlorisGets408AndIsClosed() async throws {
        try await withServer(configure: { $0.headerReadTimeout = .milliseconds(400) }) { port, _ in
            let (response, closed, elapsed) = try await offPool {
                let client = try RawClient(port: port)
                let start = Date()
                // One header byte every 100 ms: never finishes within the header timeout.
                for byte in "GET / HTTP/1.1\r\nHost: t\r\nX-Slow: aaaaaaaaaaaaaaa".utf8 {
                    guard (try? client.send([byte])) != nil else { break }
                    Thread.sleep(forTimeInterval: 0.1)
                    if Date().timeIntervalSince(start) > 1 { break }
                }
                let response = try client.readResponse()
                return (response, try client.readsEOF(), Date().timeIntervalSince(start))
            }
            #expect(response.status == 408)
            #expect(response.text.contains("request_timeout"))
            #expect(closed)
            #expect(elapsed < 2)
        }
    }

    @Test func slowBodyGets408() async throws {
        try await withServer(configure: { $0.bodyReadTimeout = .milliseconds(300) }) { port, _ in
            let response = try await offPool {
                let client = try RawClient(port: port)
                try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
                return try client.readResponse()
            }
            #expect(response.status == 408)
        }
    }

    @Test func idleKeepAliveConnectionIsClosedSilently() async throws {
        try await withServer(configure: { $0.idleTimeout = .milliseconds(300) }) { port, _ in
            let (first, closed, elapsed) = try await offPool {
                let client = try RawClient(port: port)
                try client.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
                let first = try client.readResponse()
                let start = Date()
                return (first, try client.readsEOF(), Date().timeIntervalSince(start))
            }
            #expect(first.status == 200)
            #expect(closed)
            #expect(elapsed >= 0.2 && elapsed < 2)
        }
    }

    @Test func connectionOverTheLimitGets503WhileOthersAreServed() async throws {
        let observer = RecordingObserver()
        try await withServer(observer: observer, configure: { $0.maxConnections = 3 }) { port, _ in
            let (rejected, served) = try await offPool {
                let held = try (0..<3).map { _ in try RawClient(port: port) }
                // Make sure the server has admitted all three before the fourth arrives.
                for client in held {
                    try client.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
                    _ = try client.readResponse()
                }
                let extra = try RawClient(port: port)
                try extra.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
                let rejected = try extra.readResponse()
                let served = try held.map { client -> Int in
                    try client.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
                    return try client.readResponse().status
                }
                return (rejected, served)
            }
            #expect(rejected.status == 503)
            #expect(rejected.header("Connection") == "close")
            #expect(served == [200, 200, 200])
        }
        #expect(observer.openCounts.withLock { $0.max() } == 3)
        #expect(observer.openCounts.withLock { $0.last } == 0)
    }

    @Test func twoThousandIdleConnectionsDoNotStopHealthz() async throws {
        try await withServer { port, _ in
            let (statuses, open) = try await offPool {
                let idle = try (0..<2000).map { _ in try RawClient(port: port) }
                let statuses = try (0..<5).map { _ -> Int in
                    let client = try RawClient(port: port)
                    try client.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
                    return try client.readResponse().status
                }
                // Every idle connection is still open and usable afterwards.
                try idle[0].send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
                try idle[1999].send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
                let open = [try idle[0].readResponse().status, try idle[1999].readResponse().status]
                return (statuses, open)
            }
            #expect(statuses == [200, 200, 200, 200, 200])
            #expect(open == [200, 200])
        }
    }

    @Test func gracefulDrainFinishesEveryInFlightRequest() async throws {
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.drainTimeout = .seconds(5)
        let arrivals = Arrivals()
        let server = HTTPServer(configuration: configuration, router: testRouter(arrivals: arrivals), logger: quietLogger)
        let port = try server.start()
        let idleClosed = try await offPool {
            let idle = try RawClient(port: port)
            try idle.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            _ = try idle.readResponse()
            return idle
        }
        let inFlight = Task {
            try await offPool {
                let clients = try (0..<8).map { _ in try RawClient(port: port) }
                for client in clients { try client.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n") }
                return try clients.map { try $0.readResponse() }
            }
        }
        try await arrivals.wait(for: 8)
        let started = ContinuousClock.now
        await server.shutdown()
        let drainTime = ContinuousClock.now - started
        let responses = try await inFlight.value
        #expect(responses.map(\.status) == Array(repeating: 200, count: 8))
        #expect(responses.allSatisfy { $0.text == "slow done" && $0.header("Connection") == "close" })
        #expect(drainTime < .seconds(3))
        #expect(try await offPool { try idleClosed.readsEOF() })
        await #expect(throws: RawClient.Failure.self) {
            try await offPool { try RawClient(port: port) }
        }
    }

    @Test func drainTimeoutClosesStuckRequests() async throws {
        var router = Router()
        router.get("/stuck") { _ in
            try await Task.sleep(for: .seconds(30))
            return .text("late")
        }
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.drainTimeout = .milliseconds(300)
        let server = HTTPServer(configuration: configuration, router: router, logger: quietLogger)
        let port = try server.start()
        let client = try await offPool {
            let client = try RawClient(port: port)
            try client.send("GET /stuck HTTP/1.1\r\nHost: t\r\n\r\n")
            return client
        }
        try await Task.sleep(for: .milliseconds(50))
        let started = ContinuousClock.now
        await server.shutdown()
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(try await offPool { try client.readsEOF() })
    }
}


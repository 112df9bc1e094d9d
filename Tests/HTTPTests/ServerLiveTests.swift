import Foundation
import HTTP
import Testing

@Suite("HTTP server: live over loopback", .serialized)
struct ServerLiveTests {
    @Test func keepAliveServesManyRequestsOnOneConnection() async throws {
        try await withServer { port, _ in
            let responses = try await offPool {
                let client = try RawClient(port: port)
                return try (0..<3).map { i -> RawClient.Response in
                    try client.send("GET /jobs/\(i) HTTP/1.1\r\nHost: t\r\n\r\n")
                    return try client.readResponse()
                }
            }
            #expect(responses.map(\.status) == [200, 200, 200])
            #expect(responses.map(\.text) == ["job 0", "job 1", "job 2"])
            #expect(responses.allSatisfy { $0.header("Connection") == nil })
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await withServer { port, _ in
            let responses = try await offPool {
                let client = try RawClient(port: port)
                // The slow request first: its answer must still come first.
                try client.send(
                    "GET /slow HTTP/1.1\r\nHost: t\r\n\r\nPOST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"
                        + "GET /jobs/7 HTTP/1.1\r\nHost: t\r\n\r\nGET /missing HTTP/1.1\r\nHost: t\r\n\r\n")
                return try (0..<4).map { _ in try client.readResponse() }
            }
            #expect(responses.map(\.status) == [200, 200, 200, 404])
            #expect(responses.prefix(3).map(\.text) == ["slow done", "abc", "job 7"])
        }
    }

    @Test func chunkedUploadIsDecoded() async throws {
        try await withServer { port, _ in
            let response = try await offPool {
                let client = try RawClient(port: port)
                try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
                for piece in ["4\r\nwiki\r\n", "5;ext=1\r\npedia\r\n", "0\r\nX-Trailer: t\r\n\r\n"] {
                    Thread.sleep(forTimeInterval: 0.02)
                    try client.send(piece)
                }
                return try client.readResponse()
            }
            #expect(response.status == 200)
            #expect(response.text == "wikipedia")
        }
    }

    @Test func expectContinueGetsAnInterimResponseBeforeTheBody() async throws {
        try await withServer { port, _ in
            let (interim, final) = try await offPool {
                let client = try RawClient(port: port)
                try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
                let interim = try client.readResponse()
                try client.send("hello")
                return (interim, try client.readResponse())
            }
            #expect(interim.status == 100)
            #expect(final.status == 200)
            #expect(final.text == "hello")
        }
    }

    @Test func oversizedBodyIsRefusedWith413BeforeItIsSent() async throws {
        try await withServer { port, _ in
            let (response, closed) = try await offPool {
                let client = try RawClient(port: port)
                try client.send("POST /small HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 17\r\n\r\n")
                let response = try client.readResponse()
                return (response, try client.readsEOF())
            }
            #expect(response.status == 413)
            #expect(response.text.contains(#""code":"body_too_large""#))
            #expect(response.header("Connection") == "close")
            #expect(closed)
        }
    }

    @Test func http10IsAnsweredAndClosed() async throws {
        try await withServer { port, _ in
            let (response, closed) = try await offPool {
                let client = try RawClient(port: port)
                try client.send("GET /healthz HTTP/1.0\r\n\r\n")
                return (try client.readResponse(), try client.readsEOF())
            }
            #expect(response.status == 200)
            #expect(closed)
        }
    }

    @Test func headRequestGetsHeadersWithoutBody() async throws {
        try await withServer { port, _ in
            let (head, next) = try await offPool {
                let client = try RawClient(port: port)
                try client.send("HEAD /healthz HTTP/1.1\r\nHost: t\r\n\r\nGET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
                // The HEAD response announces a length but has no body: the next bytes are the GET's answer.
                let head = try client.readResponse(bodyless: true)
                return (head, try client.readResponse())
            }
            #expect(head.status == 200)
            #expect(head.header("Content-Length") == "2")
            #expect(next.status == 200)
            #expect(next.text == "ok")
        }
    }

    static let malformed: [(String, Int)] = [
        ("GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505),
        ("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
        ("GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\nHost: t\r\n\r\n", 414),
        ("GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + String(repeating: "b", count: 70000) + "\r\n\r\n", 431),
        ("GET / HTTP/1.1\r\nHost: t\r\n folded\r\n\r\n", 400),
        ("DELETE /healthz HTTP/1.1\r\nHost: t\r\n\r\n", 405),
        ("GET /jobs/%zz HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    ]

    @Test(arguments: malformed)
    func badInputGetsItsStatusAndAJSONBody(raw: String, status: Int) async throws {
        try await withServer { port, _ in
            let (response, healthy) = try await offPool {
                let client = try RawClient(port: port)
                try client.send(raw)
                let response = try client.readResponse()
                let other = try RawClient(port: port)
                try other.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
                return (response, try other.readResponse().status)
            }
            #expect(response.status == status)
            #expect(response.header("Content-Type") == "application/json")
            #expect(response.text.hasPrefix(#"{"error":{"code":"#))
            #expect(healthy == 200)
            if status == 405 { #expect(response.header("Allow") == "GET, HEAD") }
        }
    }

    @Test func unknownPathIs404WithJSON() async throws {
        try await withServer { port, _ in
            let response = try await offPool {
                let client = try RawClient(port: port)
                try client.send("GET /nope HTTP/1.1\r\nHost: t\r\n\r\n")
                return try client.readResponse()
            }
            #expect(response.status == 404)
            #expect(response.text == #"{"error":{"code":"not_found","message":"not found"}}"#)
        }
    }
}

import Foundation
import HTTP
import Logging
import Testing

@Suite("HTTP server: trace context, request ids, errors, access log", .serialized)
struct ServerContextTests {
    struct Boom: Error {}

    static func contextRouter() -> Router {
        var router = Router()
        router.get("/trace") { request in
            let current = TraceContext.current
            return .text("\(current?.traceID ?? "none") \(current?.spanID ?? "none") \(current == request.trace) \(request.requestID)")
        }
        router.get("/teapot") { _ in throw HTTPError(status: 418, code: "teapot", message: "short and stout") }
        router.get("/boom") { _ in throw Boom() }
        router.post("/json") { request in
            struct Job: Codable { var id: Int; var name: String }
            let job = try request.decodeJSON(Job.self)
            return .json(Job(id: job.id + 1, name: job.name), status: 201)
        }
        return router
    }

    static func get(_ port: Int, _ target: String, headers: String = "") async throws -> RawClient.Response {
        try await offPool {
            let client = try RawClient(port: port)
            try client.send("GET \(target) HTTP/1.1\r\nHost: t\r\n\(headers)\r\n")
            return try client.readResponse()
        }
    }

    @Test func incomingTraceparentIsContinuedAndReturned() async throws {
        try await withServer(router: Self.contextRouter()) { port, _ in
            let parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
            let response = try await Self.get(port, "/trace", headers: "traceparent: \(parent)\r\n")
            let parts = response.text.split(separator: " ")
            #expect(parts[0] == "0af7651916cd43dd8448eb211c80319c")
            #expect(parts[1] != "b7ad6b7169203331")
            #expect(parts[2] == "true")
            #expect(response.header("traceparent") == "00-0af7651916cd43dd8448eb211c80319c-\(parts[1])-01")
        }
    }

    @Test func missingOrInvalidTraceparentStartsANewTrace() async throws {
        try await withServer(router: Self.contextRouter()) { port, _ in
            let a = try await Self.get(port, "/trace", headers: "traceparent: garbage\r\n")
            let b = try await Self.get(port, "/trace")
            let traceA = a.text.split(separator: " ")[0], traceB = b.text.split(separator: " ")[0]
            #expect(traceA.count == 32 && traceB.count == 32 && traceA != traceB)
            #expect(TraceContext(traceparent: a.header("traceparent") ?? "")?.traceID == String(traceA))
        }
    }

    @Test func requestIDIsKeptWhenValidAndReplacedWhenNot() async throws {
        try await withServer(router: Self.contextRouter()) { port, _ in
            let kept = try await Self.get(port, "/trace", headers: "X-Request-Id: abc-123.x\r\n")
            #expect(kept.text.hasSuffix(" abc-123.x"))
            #expect(kept.header("X-Request-Id") == "abc-123.x")
            let replaced = try await Self.get(port, "/trace", headers: "X-Request-Id: bad id<script>\r\n")
            let generated = replaced.header("X-Request-Id") ?? ""
            #expect(generated.count == 16 && generated != "bad id<script>")
            #expect(replaced.text.hasSuffix(" \(generated)"))
        }
    }

    @Test func thrownHTTPErrorBecomesItsResponse() async throws {
        try await withServer(router: Self.contextRouter()) { port, _ in
            let response = try await Self.get(port, "/teapot")
            #expect(response.status == 418)
            #expect(response.text == #"{"error":{"code":"teapot","message":"short and stout"}}"#)
        }
    }

    @Test func otherErrorsBecome500WithoutDetail() async throws {
        try await withServer(router: Self.contextRouter()) { port, _ in
            let response = try await Self.get(port, "/boom")
            #expect(response.status == 500)
            #expect(response.text == #"{"error":{"code":"internal","message":"internal error"}}"#)
        }
    }

    @Test func jsonBodiesAreDecodedAndEncoded() async throws {
        try await withServer(router: Self.contextRouter()) { port, _ in
            let (good, bad) = try await offPool {
                let client = try RawClient(port: port)
                let body = #"{"id": 41, "name": "build"}"#
                try client.send("POST /json HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
                let good = try client.readResponse()
                try client.send("POST /json HTTP/1.1\r\nHost: t\r\nContent-Length: 9\r\n\r\n{\"id\": 1}")
                return (good, try client.readResponse())
            }
            #expect(good.status == 201)
            #expect(good.text == #"{"id":42,"name":"build"}"#)
            #expect(bad.status == 400)
            #expect(bad.text.contains("missing field 'name'"))
        }
    }

    @Test func oneAccessLogLinePerRequestWithMetadata() async throws {
        let handler = RecordingLogHandler()
        let logger = Logger(label: "access", factory: { _ in handler })
        try await withServer(router: Self.contextRouter(), logger: logger) { port, _ in
            _ = try await Self.get(port, "/trace", headers: "X-Request-Id: req-1\r\n")
            _ = try await Self.get(port, "/nowhere", headers: "X-Request-Id: req-2\r\n")
        }
        let lines = handler.entries.withLock { $0 }.filter { $0.message == "request" }
        #expect(lines.count == 2)
        #expect(lines.map { $0.metadata["http.route"] } == ["/trace", "unmatched"])
        #expect(lines.map { $0.metadata["http.status"] } == ["200", "404"])
        #expect(lines.map { $0.metadata["request.id"] } == ["req-1", "req-2"])
        for line in lines {
            #expect(line.metadata["http.method"] == "GET")
            #expect(line.metadata["trace.id"]?.count == 32)
            #expect(line.metadata["duration_ms"] != nil)
        }
    }

    @Test func observerSeesRoutesStatusesAndConnections() async throws {
        let observer = RecordingObserver()
        try await withServer(router: Self.contextRouter(), observer: observer) { port, _ in
            _ = try await Self.get(port, "/teapot")
            _ = try await Self.get(port, "/missing")
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(observer.requests.withLock { $0 } == [
            .init(method: "GET", route: "/teapot", status: 418),
            .init(method: "GET", route: "unmatched", status: 404),
        ])
        let counts = observer.openCounts.withLock { $0 }
        #expect(counts.contains(1))
        #expect(counts.last == 0)
    }
}

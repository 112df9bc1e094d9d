import Foundation
import HTTP
import Logging
import Synchronization

/// Records log entries (for the access-log test) and forwards nothing.
final class RecordingLogHandler: LogHandler, @unchecked Sendable {
    // Safety: `entries` is behind a Mutex; `metadata` and `logLevel` are set once before use.
    struct Entry: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]
    }

    let entries = Mutex<[Entry]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let flat = (event.metadata ?? [:]).mapValues { "\($0)" }
        entries.withLock { $0.append(Entry(level: event.level, message: "\(event.message)", metadata: flat)) }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        let flat = (metadata ?? [:]).mapValues { "\($0)" }
        entries.withLock { $0.append(Entry(level: level, message: "\(message)", metadata: flat)) }
    }
}

/// Records observer calls.
final class RecordingObserver: HTTPServerObserver {
    struct Request: Sendable, Equatable {
        let method: String
        let route: String
        let status: Int
    }

    let requests = Mutex<[Request]>([])
    let openCounts = Mutex<[Int]>([])

    func requestCompleted(method: String, route: String, status: Int, duration: Duration) {
        requests.withLock { $0.append(Request(method: method, route: route, status: status)) }
    }

    func connectionsChanged(open: Int) {
        openCounts.withLock { $0.append(open) }
    }
}

/// A quiet logger for tests that do not inspect logs.
let quietLogger: Logger = {
    var logger = Logger(label: "http-test", factory: { _ in SwiftLogNoOpLogHandler() })
    logger.logLevel = .critical
    return logger
}()

/// Counts requests that reached a handler, so drain tests can wait until requests are in flight.
final class Arrivals: Sendable {
    let count = Mutex(0)

    func arrive() { count.withLock { $0 += 1 } }

    /// Waits (polling) until at least `n` requests arrived, for at most 5 s.
    func wait(for n: Int) async throws {
        for _ in 0..<500 where count.withLock({ $0 }) < n {
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// The routes most live tests use; `/slow` reports to `arrivals`.
func testRouter(arrivals: Arrivals? = nil) -> Router {
    var router = Router()
    router.get("/healthz") { _ in .text("ok") }
    router.post("/echo") { request in HTTPResponse(status: 200, body: request.body) }
    router.post("/small", bodyLimit: 16) { request in .text("\(request.body.count)") }
    router.get("/jobs/:id") { request in .text("job \(request.pathParameters["id"] ?? "?")") }
    router.get("/slow") { _ in
        arrivals?.arrive()
        try await Task.sleep(for: .milliseconds(300))
        return .text("slow done")
    }
    return router
}

/// Starts a server on an ephemeral loopback port, runs `body`, and always shuts it down.
func withServer(
    router: Router = testRouter(), logger: Logger = quietLogger, observer: (any HTTPServerObserver)? = nil,
    configure: (inout HTTPServerConfiguration) -> Void = { _ in },
    _ body: (Int, HTTPServer) async throws -> Void
) async throws {
    var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
    configure(&configuration)
    let server = HTTPServer(configuration: configuration, router: router, logger: logger, observer: observer)
    let port = try server.start()
    do {
        try await body(port, server)
    } catch {
        await server.shutdown()
        throw error
    }
    await server.shutdown()
}

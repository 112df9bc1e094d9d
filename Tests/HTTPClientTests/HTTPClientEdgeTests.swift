import Foundation
import HTTPClient
import Logging
import Synchronization
import Testing

/// Collects log records in memory.
final class RecordingLogHandler: LogHandler, Sendable {
    let records = Mutex<[(message: String, metadata: Logger.Metadata)]>([])
    var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }
    var logLevel: Logger.Level {
        get { .trace }
        set {}
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }

    func log(event: LogEvent) {
        records.withLock { $0.append((event.message.description, event.metadata ?? [:])) }
    }
}

@Suite struct HTTPClientEdgeTests {
    @Test func connectTimeoutFiresBeforeTheWholeTimeout() async throws {
        // A listener whose accept queue is full: Linux drops further SYNs, so connect() hangs.
        let listener = try ListeningSocket(backlog: 0)
        let fillers = (0..<3).map { _ in listener.connectNonBlocking() }
        defer { fillers.forEach { close($0) } }
        let client = HTTPClient()
        let start = ContinuousClock.now
        await #expect {
            try await client.execute(ClientRequest(
                url: "http://127.0.0.1:\(listener.port)/", timeout: .seconds(10), connectTimeout: .milliseconds(200)))
        } throws: { ($0 as? HTTPClientError)?.code == .timeout }
        #expect(ContinuousClock.now - start < .seconds(3))
    }

    @Test func retriesAreLoggedWithoutQueryStrings() async throws {
        let server = try await StandInServer.shared.value
        let handler = RecordingLogHandler()
        let logger = Logger(label: "test") { _ in handler }
        let client = HTTPClient(configuration: .init(logger: logger))
        let key = UUID().uuidString
        let response = try await client.execute(ClientRequest(
            url: server.url("/flaky?key=\(key)&fail=1&status=429"), headers: ["Authorization": "Bearer hush"],
            retry: RetryPolicy(baseDelay: .milliseconds(1))))
        #expect(response.status == 200)
        let records = handler.records.withLock { $0 }
        #expect(records.count == 1)
        let logged = records.map { "\($0.message) \($0.metadata)" }.joined()
        #expect(logged.contains("429"))
        #expect(logged.contains("/flaky"))
        #expect(!logged.contains(key))
        #expect(!logged.contains("hush"))
    }
}

/// A loopback TCP listener that never accepts.
final class ListeningSocket {
    let fd: Int32
    let port: Int

    init(backlog: Int32) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ready = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, backlog) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        try #require(fd >= 0 && ready)
    }

    /// Starts a connection to the listener without waiting for it to complete.
    func connectNonBlocking() -> Int32 {
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return client
    }

    deinit {
        close(fd)
    }
}

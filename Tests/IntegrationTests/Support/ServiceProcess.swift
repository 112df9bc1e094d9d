import Foundation
import Testing

/// One Runway service started as a real process on a free loopback port (`HTTP_PORT=0`, the port
/// read back from `RUNWAY_PORT_FILE`), with its logs kept in a file for failure messages.
final class ServiceProcess: @unchecked Sendable {
    // Safety: `process` is only touched by the test that owns this value, one call at a time.
    let name: String
    let process = Process()
    let port: Int
    let logPath: String
    private let exited: Task<Int32, Never>

    var url: String { "http://127.0.0.1:\(port)" }

    init(_ executable: String, environment: [String: String]) async throws {
        name = executable
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("runway-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let portFile = dir.appendingPathComponent("port").path
        logPath = dir.appendingPathComponent("\(executable).log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("RUNWAY_TEST_") }
        env.merge(["HTTP_HOST": "127.0.0.1", "HTTP_PORT": "0", "RUNWAY_PORT_FILE": portFile, "LOG_FORMAT": "text"]) { _, new in new }
        env.merge(environment) { _, new in new }
        process.executableURL = TestEnvironment.binDirectory.appendingPathComponent(executable)
        process.environment = env
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardError = log
        process.standardOutput = log
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { continuation.yield($0.terminationStatus); continuation.finish() }
        try process.run()
        exited = Task { for await status in stream { return status }; return -1 }
        var port: Int?
        for _ in 0..<300 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let p = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                port = p
                break
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        guard let port else {
            let logs = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            process.terminate()
            throw ServiceStartError(message: "\(executable) did not start:\n\(logs.suffix(3000))")
        }
        self.port = port
    }

    /// Sends `signal` and waits for the exit status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM) async -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        return await exited.value
    }

    /// The service's log so far.
    var logs: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

struct ServiceStartError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

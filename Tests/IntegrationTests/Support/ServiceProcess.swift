import Foundation
import Testing

/// A child process on a free loopback port, with its output kept in a file for failure messages:
/// a Runway service (`HTTP_PORT=0`, the port read back from `RUNWAY_PORT_FILE`) or a stand-in
/// script that prints `PORT=<n>` first.
final class ServiceProcess: @unchecked Sendable {
    // Safety: `process` is only touched by the test that owns this value, one call at a time.
    let name: String
    let process = Process()
    let port: Int
    let logPath: String
    private let exited: Task<Int32, Never>

    var url: String { "http://127.0.0.1:\(port)" }

    /// Starts the built Runway executable `executable` with `environment` added.
    convenience init(_ executable: String, environment: [String: String]) async throws {
        try await self.init(name: executable, path: TestEnvironment.binDirectory.appendingPathComponent(executable).path,
                            arguments: [], environment: environment, portFromOutput: false)
    }

    /// Starts a stand-in script (`Tests/StandIns/NAME`) with python3; it prints `PORT=<n>` first.
    convenience init(standIn script: String, arguments: [String]) async throws {
        let path = TestEnvironment.repositoryRoot.appendingPathComponent("Tests/StandIns/\(script)").path
        try await self.init(name: script, path: "/usr/bin/env", arguments: ["python3", path] + arguments, environment: [:],
                            portFromOutput: true)
    }

    private init(name executable: String, path: String, arguments: [String], environment: [String: String],
                 portFromOutput: Bool) async throws {
        name = executable
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("runway-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let portFile = dir.appendingPathComponent("port").path
        logPath = dir.appendingPathComponent("\(executable).log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("RUNWAY_TEST_") }
        env.merge(["HTTP_HOST": "127.0.0.1", "HTTP_PORT": "0", "RUNWAY_PORT_FILE": portFile, "LOG_FORMAT": "text"]) { _, new in new }
        env.merge(environment) { _, new in new }
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
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
            if let p = Self.readPort(portFromOutput ? logPath : portFile, prefix: portFromOutput ? "PORT=" : "") {
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

    private static func readPort(_ path: String, prefix: String) -> Int? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(prefix) {
            if let port = Int(line.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)) { return port }
        }
        return nil
    }

    /// Sends `signal` and waits for the exit status; SIGKILL after 5 s (a child inherits the test
    /// process's blocked-signal mask, so a plain Python script may never see SIGTERM).
    @discardableResult
    func stop(signal: Int32 = SIGTERM) async -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        let pid = process.processIdentifier
        let killer = Task {
            try await Task.sleep(for: .seconds(5))
            kill(pid, SIGKILL)
        }
        defer { killer.cancel() }
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

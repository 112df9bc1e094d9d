import Foundation
import Testing

/// A Python stand-in from `Tests/StandIns`, started by the test on port 0: the first line it
/// prints says where it listens; it exits when its stdin closes or it is terminated.
final class StandInProcess: @unchecked Sendable {
    // Safety: `process` and the pipes are set once in `init` and only read afterwards.
    let process = Process()
    private let stdin = Pipe()
    private let stdout = Pipe()
    /// The first line printed.
    let firstLine: String

    static func scriptPath(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("StandIns").appendingPathComponent(name).path
    }

    init(script: String, arguments: [String]) async throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.scriptPath(script)] + arguments
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        let handle = stdout.fileHandleForReading
        // The blocking read runs on a Dispatch thread, not on the cooperative pool.
        let line: Data = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var data = Data()
                while true {
                    let chunk = handle.readData(ofLength: 1)
                    if chunk.isEmpty || chunk == Data([0x0A]) { break }
                    data.append(chunk)
                }
                continuation.resume(returning: data)
            }
        }
        firstLine = String(decoding: line, as: UTF8.self)
        try #require(!firstLine.isEmpty, "stand-in \(script) did not start")
    }

    /// The first line as a JSON object.
    func json() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(firstLine.utf8)) as? [String: Any])
    }

    deinit {
        try? stdin.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}

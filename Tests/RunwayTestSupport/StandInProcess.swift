import Foundation
import Testing

/// A Python stand-in from `Tests/StandIns`, started by the test: the first line it prints says
/// where it listens (a JSON object, or `PORT=<n>`); it exits when its stdin closes or it is terminated.
public final class StandInProcess: @unchecked Sendable {
    // Safety: `process` and the pipes are set once in `init` and only read afterwards.
    public let process = Process()
    private let stdin = Pipe()
    private let stdout = Pipe()
    /// The first line the stand-in printed.
    public let firstLine: String

    /// The path of `Tests/StandIns/<name>`.
    public static func scriptPath(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("StandIns").appendingPathComponent(name).path
    }

    /// Starts `Tests/StandIns/<script>` with python3 and waits for its ready line.
    public init(script: String, arguments: [String], environment: [String: String] = [:]) async throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.scriptPath(script)] + arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
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
    public func json() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(firstLine.utf8)) as? [String: Any])
    }

    /// A string field of the JSON first line.
    public func string(_ key: String) throws -> String { try #require(try json()[key] as? String) }
    /// An integer field of the JSON first line.
    public func int(_ key: String) throws -> Int { try #require(try json()[key] as? Int) }
    /// The contents of the file a field of the JSON first line names.
    public func file(_ key: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: try string(key)))) }

    deinit {
        try? stdin.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}

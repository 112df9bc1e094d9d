import Foundation
import Synchronization
import Testing

/// `Tests/StandIns/http_test_server.py` run as a child process on a loopback port of its own.
/// It exits when its stdin closes, so it never outlives the test process.
final class StandInServer: Sendable {
    /// The port the server bound (it binds port 0 and prints the real one).
    let port: Int
    private let process: Mutex<Process?>

    private init(port: Int, process: Process) {
        self.port = port
        self.process = Mutex(process)
    }

    /// `http://127.0.0.1:port` (or https).
    func url(_ path: String, tls: Bool = false) -> String {
        "\(tls ? "https" : "http")://127.0.0.1:\(port)\(path)"
    }

    /// One plain-HTTP server shared by the tests that need no special setup.
    static let shared = Task { try await StandInServer.start() }

    /// Starts a server; with `cert`/`key` paths it serves TLS.
    static func start(cert: String? = nil, key: String? = nil) async throws -> StandInServer {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("StandIns/http_test_server.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script] + (cert.map { ["--cert", $0, "--key", key ?? ""] } ?? [])
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = Pipe()  // held by `process`; closing it at exit stops the server
        let line = LineReader()
        output.fileHandleForReading.readabilityHandler = { handle in line.feed(handle.availableData) }
        try process.run()
        let firstLine = await line.firstLine(timeout: .seconds(10))
        output.fileHandleForReading.readabilityHandler = nil
        let port = try #require(Int(firstLine.trimmingCharacters(in: .whitespaces)))
        return StandInServer(port: port, process: process)
    }

    deinit {
        process.withLock { $0?.terminate() }
    }
}

/// Collects a child's stdout until the first newline (or end of file, or a timeout).
final class LineReader: Sendable {
    private struct State {
        var buffer = Data()
        var waiter: CheckedContinuation<String, Never>?
        var line: String?
    }

    private let state = Mutex(State())

    /// Adds output; empty data means end of file.
    func feed(_ data: Data) {
        complete { state in
            state.buffer.append(data)
            if let newline = state.buffer.firstIndex(of: 10) {
                return String(decoding: state.buffer[..<newline], as: UTF8.self)
            }
            return data.isEmpty ? String(decoding: state.buffer, as: UTF8.self) : nil
        }
    }

    /// The first line, or what arrived before end of file or `timeout`.
    func firstLine(timeout: Duration) async -> String {
        let timer = Task {
            try? await Task.sleep(for: timeout)
            if !Task.isCancelled { complete { _ in "" } }
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            state.withLock { $0.waiter = continuation }
            complete { _ in nil }
        }
    }

    private func complete(_ decide: (inout State) -> String?) {
        let ready: (CheckedContinuation<String, Never>, String)? = state.withLock { state in
            if state.line == nil, let line = decide(&state) { state.line = line }
            guard let line = state.line, let waiter = state.waiter else { return nil }
            state.waiter = nil
            return (waiter, line)
        }
        if let (waiter, line) = ready { waiter.resume(returning: line) }
    }
}

enum StandInError: Error {
    case commandFailed(String)
}

/// Runs a command to completion without blocking a cooperative thread; throws on a non-zero exit.
func runCommand(_ arguments: [String], in directory: URL) async throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.currentDirectoryURL = directory
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    let status: Int32 = try await withCheckedThrowingContinuation { continuation in
        process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
        do { try process.run() } catch {
            process.terminationHandler = nil
            continuation.resume(throwing: error)
        }
    }
    guard status == 0 else { throw StandInError.commandFailed(arguments.prefix(2).joined(separator: " ")) }
}

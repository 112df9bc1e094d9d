import Foundation
import GitHub
import HTTP
import HTTPClient
import Signing
import Testing

/// The GitHub API stand-in (`Tests/StandIns/github_standin.py`) as a child process on a free
/// loopback port, plus helpers for its control API.
final class StandIn: @unchecked Sendable {
    // Safety: every stored property is set in `start` before the value is shared and never mutated.
    let process: Process
    let stdin: Pipe
    let port: Int
    let http: HTTPClient

    var apiURL: String { "http://127.0.0.1:\(port)" }

    private init(process: Process, stdin: Pipe, port: Int, http: HTTPClient) {
        self.process = process
        self.stdin = stdin
        self.port = port
        self.http = http
    }

    static var scriptPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("StandIns/github_standin.py").path
    }

    /// Starts the stand-in (App id 4242) trusting the shared test key, or generating its own
    /// key pair into `privateKeyOut`.
    static func start(extraArguments: [String] = [], privateKeyOut: String? = nil) async throws -> StandIn {
        var keyArguments: [String]
        if let privateKeyOut {
            keyArguments = ["--app-private-key-out", privateKeyOut]
        } else {
            keyArguments = ["--app-public-key", try await TestKeys.shared.get().publicPath]
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", scriptPath] + keyArguments + ["--app-id", "4242",
                             "--client-id", "Iv1.standin", "--exit-on-stdin-eof"] + extraArguments
        let out = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardInput = input
        try process.run()
        let port: Int = try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask { try await firstLinePort(out.fileHandleForReading) }
            group.addTask {
                try await Task.sleep(for: .seconds(20))
                throw StandInError(message: "stand-in did not print its port within 20 s")
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
        return StandIn(process: process, stdin: input, port: port, http: HTTPClient())
    }

    /// Stops the process (closing stdin also makes it exit if this process dies first).
    func stop() {
        try? stdin.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        http.shutdown()
    }

    /// Calls the control API and returns the decoded JSON.
    @discardableResult
    func control(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> Any {
        let data = try body.map { try JSONSerialization.data(withJSONObject: $0) } ?? Data()
        let response = try await http.execute(ClientRequest(method: method, url: apiURL + path,
                                                            headers: ["Content-Type": "application/json"], body: Array(data)))
        try #require((200..<300).contains(response.status), "control \(method) \(path): \(response.status) \(response.text)")
        return try JSONSerialization.jsonObject(with: Data(response.body), options: [.fragmentsAllowed])
    }

    /// `GET /_standin/state`.
    func state() async throws -> [String: Any] {
        try #require(try await control("GET", "/_standin/state") as? [String: Any])
    }

    /// Queues an injected answer.
    func fault(_ fault: [String: Any]) async throws {
        try await control("POST", "/_standin/faults", fault)
    }

    /// Runners registered in `scope` (e.g. `orgs/octo-org`).
    func runners(_ scope: String) async throws -> [[String: Any]] {
        let all = try await state()["runners"] as? [String: [[String: Any]]]
        return all?[scope] ?? []
    }

    /// Tokens minted for installation `id`.
    func tokensMinted(_ id: Int) async throws -> Int {
        (try await state()["tokens_minted"] as? [String: Int])?[String(id)] ?? 0
    }

    /// A client for this stand-in with the shared test key and a real libcurl transport.
    func app(configure: (inout GitHubApp.Configuration) -> Void = { _ in }, clock: GitHubClock = .system,
             pem: String? = nil) async throws -> GitHubApp {
        var configuration = GitHubApp.Configuration()
        configuration.retryBaseDelay = .milliseconds(20)
        configure(&configuration)
        let keyPEM: String
        if let pem { keyPEM = pem } else { keyPEM = try await TestKeys.shared.get().privatePEM }
        let credentials = GitHubAppCredentials(issuer: "4242", signer: try RSASigner(pem: keyPEM), apiURL: apiURL)
        return GitHubApp(credentials: credentials, transport: http, configuration: configuration, clock: clock)
    }
}

struct StandInError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Reads until the first newline and parses `PORT=<n>`.
private func firstLinePort(_ handle: FileHandle) async throws -> Int {
    let line: String = try await withCheckedThrowingContinuation { continuation in
        let buffer = LineBuffer()
        handle.readabilityHandler = { h in
            let chunk = h.availableData
            if let line = buffer.append(chunk, eof: chunk.isEmpty) {
                h.readabilityHandler = nil
                if line.isEmpty {
                    continuation.resume(throwing: StandInError(message: "stand-in exited before printing its port"))
                } else {
                    continuation.resume(returning: line)
                }
            }
        }
    }
    guard line.hasPrefix("PORT="), let port = Int(line.dropFirst(5).trimmingCharacters(in: .whitespaces)) else {
        throw StandInError(message: "unexpected first line from stand-in: \(line)")
    }
    return port
}

/// Collects bytes until a newline; returns the line once (empty on EOF without a line).
private final class LineBuffer: @unchecked Sendable {
    // Safety: only touched from the FileHandle's serial readability handler.
    private var data = Data()
    private var done = false

    func append(_ chunk: Data, eof: Bool) -> String? {
        guard !done else { return nil }
        data.append(chunk)
        if let newline = data.firstIndex(of: 0x0A) {
            done = true
            return String(decoding: data[data.startIndex..<newline], as: UTF8.self)
        }
        if eof {
            done = true
            return ""
        }
        return nil
    }
}

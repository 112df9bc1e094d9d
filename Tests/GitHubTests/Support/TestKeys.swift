import Foundation
import GitHub
import Signing
import Testing

/// One RSA key pair per test process, generated with the openssl CLI (no key is committed).
actor TestKeys {
    static let shared = TestKeys()

    struct Pair: Sendable {
        let privatePEM: String
        let privatePath: String
        let publicPath: String
        let directory: String
    }

    // One generation however many tests ask at once (actor methods are reentrant across awaits).
    private var generation: Task<Pair, any Error>?

    func get() async throws -> Pair {
        if generation == nil { generation = Task { try await Self.generate() } }
        return try await generation!.value
    }

    private static func generate() async throws -> Pair {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("runway-github-keys-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let priv = dir.appendingPathComponent("app.pem").path, pub = dir.appendingPathComponent("app.pub.pem").path
        let gen = try await Shell.run("openssl", ["genrsa", "-traditional", "-out", priv, "2048"])
        try #require(gen.status == 0, "openssl genrsa failed: \(gen.output)")
        let out = try await Shell.run("openssl", ["pkey", "-in", priv, "-pubout", "-out", pub])
        try #require(out.status == 0, "openssl pkey failed: \(out.output)")
        return Pair(privatePEM: try String(contentsOfFile: priv, encoding: .utf8), privatePath: priv,
                    publicPath: pub, directory: dir.path)
    }

    /// Credentials for App id 4242 against `apiURL`.
    static func credentials(apiURL: String = "https://api.github.test") async throws -> GitHubAppCredentials {
        let pair = try await shared.get()
        return GitHubAppCredentials(issuer: "4242", signer: try RSASigner(pem: pair.privatePEM), apiURL: apiURL)
    }
}

/// Runs a command found on PATH without blocking a cooperative thread.
enum Shell {
    static func run(_ command: String, _ arguments: [String], stdin: Data? = nil) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [command] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let input = Pipe()
        if stdin != nil { process.standardInput = input }
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
                if let stdin {
                    input.fileHandleForWriting.write(stdin)
                    try? input.fileHandleForWriting.close()
                }
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        return (status, String(decoding: data, as: UTF8.self))
    }
}

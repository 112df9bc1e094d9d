import Foundation
import Logging
import Postgres
import Testing

/// The services `scripts/test-env.sh` started for this run (Postgres, moto), read from the
/// environment. Integration tests fail, rather than skip, when it is missing.
enum TestEnvironment {
    static func value(_ name: String) throws -> String {
        try #require(ProcessInfo.processInfo.environment[name], "\(name) is not set: run the tests through scripts/test-env.sh (make test)")
    }

    /// A fresh, empty database on the test Postgres; returns its URL.
    static func freshDatabase() async throws -> String {
        let admin = try value("RUNWAY_TEST_DATABASE_URL")
        let name = "it_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        let pool = PostgresPool(configuration: PostgresConfiguration(connectionString: admin, poolSize: 1), logger: Logger(label: "test"))
        defer { pool.shutdown() }
        try await pool.query("CREATE DATABASE \(name)")
        guard let slash = admin.lastIndex(of: "/") else { throw CocoaError(.fileReadInvalidFileName) }
        return String(admin[...slash]) + name
    }

    /// Runs `scripts/test-pg.sh stop|start|restart`.
    static func postgres(_ action: String) async throws {
        let script = try value("RUNWAY_TEST_PG_SCRIPT")
        let status = try await Command.run(script, [action])
        #expect(status == 0, "test-pg.sh \(action) exited \(status)")
    }

    /// The directory holding the built executables (`producer`, `publisher`, …): the test
    /// bundle's own build directory.
    static var binDirectory: URL {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 where !FileManager.default.fileExists(atPath: url.appendingPathComponent("producer").path) {
            url = url.deletingLastPathComponent()
        }
        return url
    }

    /// The repository root (for stand-in scripts and fixtures).
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }
}

/// Runs a command to completion without blocking a cooperative thread.
enum Command {
    static func run(_ path: String, _ arguments: [String], environment: [String: String]? = nil) async throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let environment { process.environment = environment }
        return try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
    }
}

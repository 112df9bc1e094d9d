import Foundation
import Logging
import Postgres
import Testing

/// Gives each test its own schema in the test database (`RUNWAY_TEST_DATABASE_URL`, from
/// scripts/test-env.sh) and drops it afterwards.
public enum TestDatabase {
    /// The test database URL.
    public static var url: String {
        get throws { try #require(ProcessInfo.processInfo.environment["RUNWAY_TEST_DATABASE_URL"], "run inside scripts/test-env.sh") }
    }

    /// The logger test pools use.
    public static let logger = Logger(label: "test.postgres")

    /// Runs `body` with a pool on a fresh schema, dropped afterwards.
    public static func withSchema<T>(
        poolSize: Int = 4,
        configure: (inout PostgresConfiguration) -> Void = { _ in },
        _ body: (PostgresPool, PostgresConfiguration) async throws -> T
    ) async throws -> T {
        let url = try url
        let schema = "t_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased())"
        let admin = PostgresPool(configuration: .init(connectionString: url, poolSize: 1), logger: logger)
        defer { admin.shutdown() }
        try await admin.query("CREATE SCHEMA \(schema)")
        var configuration = PostgresConfiguration(connectionString: url, poolSize: poolSize, searchPath: schema)
        configure(&configuration)
        let pool = PostgresPool(configuration: configuration, logger: logger)
        do {
            let value = try await body(pool, configuration)
            pool.shutdown()
            try await admin.query("DROP SCHEMA \(schema) CASCADE")
            return value
        } catch {
            pool.shutdown()
            _ = try? await admin.query("DROP SCHEMA \(schema) CASCADE")
            throw error
        }
    }
}

import Foundation
import JobStore
import Logging
import Postgres
import Testing
@testable import PublisherCore

/// Database helpers for the integration suites.
enum IntegrationDB {
    /// A migrated store in a fresh schema, dropped afterwards.
    static func withDatabase(_ body: (PostgresConfiguration) async throws -> Void) async throws {
        let url = try #require(ProcessInfo.processInfo.environment["RUNWAY_TEST_DATABASE_URL"], "run inside scripts/test-env.sh")
        let schema = "pub_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased())"
        let admin = PostgresPool(configuration: .init(connectionString: url, poolSize: 1), logger: PublisherIntegrationTests.logger)
        defer { admin.shutdown() }
        try await admin.query("CREATE SCHEMA \(schema)")
        let configuration = PostgresConfiguration(connectionString: url, poolSize: 4, searchPath: schema)
        let pool = PostgresPool(configuration: configuration, logger: PublisherIntegrationTests.logger)
        _ = try await Migrator.migrate(pool, logger: PublisherIntegrationTests.logger)
        pool.shutdown()
        do {
            try await body(configuration)
        } catch {
            _ = try? await admin.query("DROP SCHEMA \(schema) CASCADE")
            throw error
        }
        try await admin.query("DROP SCHEMA \(schema) CASCADE")
    }

    /// Inserts `count` queued jobs round-robin over `pools`, received in id order.
    static func seed(_ configuration: PostgresConfiguration, count: Int, pools: [String]) async throws {
        let pool = PostgresPool(configuration: configuration, logger: PublisherIntegrationTests.logger)
        defer { pool.shutdown() }
        try await pool.query("""
            INSERT INTO jobs (id, run_id, run_attempt, repository, owner, installation_id, labels, pool, status,
                              dispatch_state, next_attempt_at, received_at, updated_at)
            SELECT g, g, 1, 'octo/repo', 'octo', 42, ARRAY['self-hosted','linux'], ($2::text[])[1 + g % array_length($2::text[], 1)],
                   'queued', 'pending', now(), now() - interval '1 hour' + g * interval '1 millisecond', now()
            FROM generate_series(1, $1::int) AS g
            """, [.int(count), .textArray(pools)])
    }

    static func counts(_ configuration: PostgresConfiguration) async throws -> [String: Int] {
        let pool = PostgresPool(configuration: configuration, logger: PublisherIntegrationTests.logger)
        defer { pool.shutdown() }
        let rows = try await pool.query("SELECT dispatch_state, count(*) AS n FROM jobs GROUP BY dispatch_state")
        var result: [String: Int] = [:]
        for row in rows.rows { result[try row.decode("dispatch_state")] = try row.decode("n") }
        return result
    }

}

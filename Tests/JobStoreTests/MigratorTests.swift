import RunwayTestSupport
import Foundation
import JobStore
import Postgres
import Testing

@Suite("Migrations")
struct MigratorTests {
    @Test("a fresh schema gets every migration; a re-run is a no-op")
    func freshThenRerun() async throws {
        try await TestDatabase.withSchema { pool, _ in
            await #expect(throws: JobStoreError(.schemaTooOld, "database schema version 0 is older than \(Migrator.latestVersion); run `runway migrate`")) {
                _ = try await Migrator.verify(pool)
            }
            let first = try await Migrator.migrate(pool, logger: TestDatabase.logger)
            #expect(first.applied == Array(1...Migrator.latestVersion))
            #expect(first.currentVersion == Migrator.latestVersion)
            let second = try await Migrator.migrate(pool, logger: TestDatabase.logger)
            #expect(second.applied.isEmpty)
            #expect(second.currentVersion == Migrator.latestVersion)
            #expect(try await Migrator.verify(pool) == Migrator.latestVersion)
            let tables = try await pool.query("""
                SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1
                """).rows.map { try $0.decode("table_name", as: String.self) }
            #expect(tables == ["checkpoints", "deliveries", "jobs", "runners", "runway_schema_migrations"])
        }
    }

    @Test("concurrent migrators (separate sessions) apply each file exactly once")
    func concurrent() async throws {
        try await TestDatabase.withSchema { pool, configuration in
            let pools = (0..<4).map { _ in PostgresPool(configuration: configuration, logger: TestDatabase.logger) }
            defer { pools.forEach { $0.shutdown() } }
            let reports = try await withThrowingTaskGroup(of: MigrationReport.self) { group in
                for other in pools { group.addTask { try await Migrator.migrate(other, logger: TestDatabase.logger) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(reports.flatMap(\.applied).sorted() == Array(1...Migrator.latestVersion))
            #expect(reports.allSatisfy { $0.currentVersion == Migrator.latestVersion })
            let count: Int = try await pool.query("SELECT count(*) AS n FROM runway_schema_migrations").single().decode("n")
            #expect(count == Migrator.latestVersion)
        }
    }

    @Test("a schema newer than the binary is refused with a clear error")
    func newerSchema() async throws {
        try await TestDatabase.withSchema { pool, _ in
            _ = try await Migrator.migrate(pool, logger: TestDatabase.logger)
            try await pool.query("INSERT INTO runway_schema_migrations (version, name, checksum) VALUES (9999, '9999_future', 'x')")
            let error = await #expect(throws: JobStoreError.self) { _ = try await Migrator.migrate(pool, logger: TestDatabase.logger) }
            #expect(error?.code == .schemaTooNew)
            #expect(error?.message.contains("upgrade Runway") == true)
            let verify = await #expect(throws: JobStoreError.self) { _ = try await Migrator.verify(pool) }
            #expect(verify?.code == .schemaTooNew)
        }
    }
}

import Foundation
import Logging
import Postgres

/// One shipped migration file.
struct Migration: Sendable {
    var version: Int
    var name: String
    var sql: String
}

extension Migrator {
    /// The files `NNNN_name.sql` under the `Migrations` resource folder, in version order.
    static func loadMigrations() throws -> [Migration] {
        guard let folder = Bundle.module.resourceURL?.appendingPathComponent("Migrations"),
              let files = try? FileManager.default.contentsOfDirectory(atPath: folder.path)
        else { throw JobStoreError(.badMigration, "the Migrations resource folder is missing from the bundle") }
        var migrations: [Migration] = []
        for file in files where file.hasSuffix(".sql") {
            guard let version = Int(file.prefix(while: \.isNumber)), version > 0, file.dropFirst(4).first == "_" else {
                throw JobStoreError(.badMigration, "migration file \(file) is not named NNNN_name.sql")
            }
            let sql = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            migrations.append(Migration(version: version, name: String(file.dropLast(4)), sql: sql))
        }
        migrations.sort { $0.version < $1.version }
        for (a, b) in zip(migrations, migrations.dropFirst()) where a.version == b.version {
            throw JobStoreError(.badMigration, "two migrations share version \(a.version)")
        }
        return migrations
    }

    static let lockSQL = "SELECT pg_advisory_lock(hashtext('runway_migrate'), hashtext(coalesce(current_schema(), '')))"
    static let unlockSQL = "SELECT pg_advisory_unlock(hashtext('runway_migrate'), hashtext(coalesce(current_schema(), '')))"

    static func migrateImpl(_ pool: PostgresPool, logger: Logger) async throws -> MigrationReport {
        let migrations = try loadMigrations()
        let report = try await pool.withConnection { connection in
            // The lock is per database and schema: replicas starting together apply each file once.
            try connection.query(lockSQL)
            defer { _ = try? connection.query(unlockSQL) }
            try connection.execute("""
                CREATE TABLE IF NOT EXISTS runway_schema_migrations (
                    version    integer     PRIMARY KEY,
                    name       text        NOT NULL,
                    checksum   text        NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
            let applied = try appliedVersions(connection)
            let known = migrations.last?.version ?? 0
            if let newest = applied.keys.max(), newest > known {
                throw JobStoreError(.schemaTooNew, "database schema version \(newest) is newer than this binary's \(known); upgrade Runway")
            }
            var report = MigrationReport(applied: [], currentVersion: applied.keys.max() ?? 0)
            for migration in migrations where applied[migration.version] == nil {
                try connection.transaction {
                    try connection.execute(migration.sql)
                    try connection.query("""
                        INSERT INTO runway_schema_migrations (version, name, checksum) VALUES ($1, $2, md5($3))
                        """, [.int(migration.version), .text(migration.name), .text(migration.sql)])
                }
                report.applied.append(migration.version)
                report.currentVersion = migration.version
            }
            return report
        }
        for version in report.applied { logger.info("applied migration", metadata: ["schema.version": "\(version)"]) }
        return report
    }

    private static func appliedVersions(_ connection: PostgresConnection) throws -> [Int: String] {
        var versions: [Int: String] = [:]
        for row in try connection.query("SELECT version, name FROM runway_schema_migrations").rows {
            versions[try row.decode("version")] = try row.decode("name")
        }
        return versions
    }

    static func verifyImpl(_ pool: PostgresPool) async throws -> Int {
        let known = try loadMigrations().last?.version ?? 0
        let current = try await pool.withConnection { connection -> Int in
            let exists: Bool = try connection.query("SELECT to_regclass('runway_schema_migrations') IS NOT NULL AS e").single().decode("e")
            guard exists else { return 0 }
            return try connection.query("SELECT coalesce(max(version), 0) AS v FROM runway_schema_migrations").single().decode("v")
        }
        if current > known {
            throw JobStoreError(.schemaTooNew, "database schema version \(current) is newer than this binary's \(known); upgrade Runway")
        }
        if current < known {
            throw JobStoreError(.schemaTooOld, "database schema version \(current) is older than \(known); run `runway migrate`")
        }
        return current
    }
}

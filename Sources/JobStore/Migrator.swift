import Foundation
import Logging
import Postgres

/// What `Migrator.migrate` did.
public struct MigrationReport: Sendable, Equatable {
    /// Versions applied by this call, in order.
    public var applied: [Int]
    /// The schema version after the call.
    public var currentVersion: Int
}

/// Applies the SQL files in `Migrations/NNNN_name.sql` (shipped as resources) in order, once each.
///
/// Safe when several replicas start together: a session advisory lock serialises them, and
/// each file runs in its own transaction recorded in `runway_schema_migrations`. A database
/// whose schema is newer than this binary knows is refused with `JobStoreError(.schemaTooNew)`.
public enum Migrator {
    /// Brings the schema up to date (used by `runway migrate` and `RUNWAY_MIGRATE=1`).
    public static func migrate(_ pool: PostgresPool, logger: Logger) async throws -> MigrationReport {
        try await migrateImpl(pool, logger: logger)
    }

    /// Checks, without changing anything, that the schema is exactly what this binary expects
    /// (`.schemaTooOld` / `.schemaTooNew` otherwise). Services call it at start without `RUNWAY_MIGRATE`.
    public static func verify(_ pool: PostgresPool) async throws -> Int {
        try await verifyImpl(pool)
    }

    /// The highest migration version shipped with this binary.
    public static var latestVersion: Int { (try? loadMigrations().last?.version) ?? 0 }
}

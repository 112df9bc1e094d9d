import Foundation
import Logging
import Postgres

extension JobStore {
    /// Opens a pool on `databaseURL`, applies migrations when `migrate` is true (else checks the
    /// schema is one this binary knows), and returns the store. Retries while the database is
    /// unreachable for up to `waitFor` (a container may start before Postgres is ready); a schema
    /// problem fails at once.
    public static func open(
        databaseURL: String, poolSize: Int = 8, migrate: Bool, maxAttempts: Int = 5,
        waitFor: Duration = .seconds(30), logger: Logger
    ) async throws -> JobStore {
        let pool = PostgresPool(configuration: PostgresConfiguration(connectionString: databaseURL, poolSize: poolSize), logger: logger)
        let deadline = ContinuousClock.now + waitFor
        while true {
            do {
                if migrate {
                    let report = try await Migrator.migrate(pool, logger: logger)
                    logger.info("database migrated", metadata: ["db.schema_version": "\(report.currentVersion)", "db.applied": "\(report.applied)"])
                } else {
                    let version = try await Migrator.verify(pool)
                    logger.info("database schema checked", metadata: ["db.schema_version": "\(version)"])
                }
                return JobStore(pool: pool, logger: logger, maxAttempts: maxAttempts)
            } catch let error as PostgresError where error.isRetryable && ContinuousClock.now < deadline {
                logger.warning("database not reachable yet; retrying", metadata: ["error": "\(error)"])
                try await Task.sleep(for: .seconds(1))
            } catch {
                pool.shutdown()
                throw error
            }
        }
    }
}

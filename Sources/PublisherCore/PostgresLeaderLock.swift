import Logging
import Postgres

/// Leadership through a Postgres session-level advisory lock, held on a dedicated one-connection
/// pool so it lives exactly as long as that session: when the connection or the replica dies,
/// Postgres releases the lock and another replica takes over on its next attempt.
public final class PostgresLeaderLock: LeaderLock {
    /// The advisory lock key (classid 0, objid = key).
    public static let defaultKey: Int64 = 0x52_57_59  // "RWY"

    private let pool: PostgresPool
    private let key: Int64

    /// Opens the dedicated session lazily on first use.
    public init(configuration: PostgresConfiguration, key: Int64 = PostgresLeaderLock.defaultKey, logger: Logger) {
        var single = configuration
        single.poolSize = 1
        single.applicationName = "runway-publisher-leader"
        // The session stays idle between checks; it never holds a transaction.
        self.pool = PostgresPool(configuration: single, logger: logger)
        self.key = key
    }

    deinit { pool.shutdown() }

    /// True when this session holds the lock: it already did (checked in `pg_locks`, so the lock
    /// is not stacked) or it just took it. False on any database error.
    public func tryAcquire() async -> Bool {
        let sql = """
            SELECT EXISTS (
                SELECT 1 FROM pg_locks
                WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND classid = 0 AND objid = $1::bigint::oid
                  AND objsubid = 1 AND granted
            ) OR pg_try_advisory_lock($1::bigint) AS leader
            """
        do {
            let rows = try await pool.query(sql, [.int64(key)])
            return try rows.single().decode("leader", as: Bool.self)
        } catch {
            return false
        }
    }

    /// Gives leadership up (on shutdown) so another replica takes over at once.
    public func release() async {
        _ = try? await pool.query("SELECT pg_advisory_unlock_all()")
    }
}

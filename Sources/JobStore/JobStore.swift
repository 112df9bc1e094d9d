import Foundation
import Logging
import Postgres

/// Runway's durable job queue in Postgres: webhook upserts, FIFO claims with leases, runner
/// bookkeeping and retention. Every operation is one short transaction; none spans a network call.
///
/// Errors: `JobStoreError` for bad input (nothing stored), `PostgresError` for the database
/// (`isRetryable` is true for an outage: answer 503 / try again later, never acknowledge).
public final class JobStore: Sendable {
    /// The connection pool the store runs on.
    public let pool: PostgresPool
    /// Launch attempts before a job becomes `failed`.
    public let maxAttempts: Int
    let logger: Logger
    let now: @Sendable () -> Date
    let batcher: RecordBatcher

    /// Creates a store. `now` is the clock for every timestamp and comparison the store makes
    /// (inject one in tests). Group commit: at most `maxBatch` `record` calls share one commit,
    /// and at most `commitConcurrency` record transactions run at once (fewer, larger commits
    /// amortise the WAL flush; the rest of the pool stays free for claims).
    public init(
        pool: PostgresPool,
        logger: Logger,
        maxAttempts: Int = 5,
        maxBatch: Int = 64,
        commitConcurrency: Int = 4,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.pool = pool
        self.logger = logger
        self.maxAttempts = max(1, maxAttempts)
        self.now = now
        self.batcher = RecordBatcher(maxBatch: max(1, maxBatch), maxFlushers: max(1, commitConcurrency))
    }

    /// Whether the database answers (for `/readyz`).
    public func ping() async throws {
        try await pool.query("SELECT 1")
    }
}


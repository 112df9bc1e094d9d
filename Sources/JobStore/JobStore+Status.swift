import Foundation
import Postgres

extension JobStore {
    /// Everything the Publisher's status page shows, read in one read-only snapshot
    /// (`REPEATABLE READ`) under a 2 s statement timeout, so the numbers agree with each other
    /// and a slow database cannot pile up page loads. Every list is LIMITed and every range scan
    /// has an index (migration 0003 adds `jobs_launched` and `jobs_errors`).
    public func statusReport(_ query: StatusQuery) async throws -> StatusReport {
        try require((1...200).contains(query.recentLimit), "recentLimit must be 1...200")
        try require((1...200).contains(query.failureLimit), "failureLimit must be 1...200")
        try require(query.chartWindow > .zero && query.rateWindow > .zero, "windows must be positive")
        try require(query.pools.count <= 1000, "at most 1000 pools")
        let now = self.now()
        let chartStart = now - query.chartWindow.timeInterval
        let rateStart = now - query.rateWindow.timeInterval
        return try await pool.transaction { connection in
            try connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            try connection.execute("SET LOCAL statement_timeout = '2s'")
            let pools = try connection.query(Self.poolActivitySQL, [
                .textArray(query.pools), .timestamptz(now), .timestamptz(rateStart),
            ]).rows.map { row in
                PoolActivity(pool: try row.decode("pool"), pending: try row.decode("pending"),
                             active: try row.decode("active"), recentLaunches: try row.decode("launches"))
            }
            let buckets = try connection.query(Self.queueTimeSQL, [.timestamptz(chartStart), .timestamptz(now)]).rows.map { row in
                QueueTimeBucket(minute: Date(timeIntervalSince1970: Double(try row.decode("minute", as: Int64.self)) * 60),
                                launches: try row.decode("launches"), p50: try row.decode("p50"), max: try row.decode("max"))
            }
            let recent = try connection.query(Self.recentJobsSQL, [
                .textArray(DispatchState.allCases.map(\.rawValue)), .int(query.recentLimit),
            ]).rows.map(Job.init(row:))
            let failures = try connection.query(Self.failuresSQL, [.int(query.failureLimit)]).rows.map(Job.init(row:))
            return StatusReport(takenAt: now, pools: pools, queueTimes: buckets, recentJobs: recent, failures: failures)
        }
    }

    /// Per pool, in the order given: the claimable and active counts exactly as `pendingCount`
    /// and `activeRunnerCount` define them, and launches since `$3` (index `jobs_launched`).
    static let poolActivitySQL = """
        SELECT p.pool,
            (SELECT count(*) FROM jobs WHERE pool = p.pool AND dispatch_state = 'pending' AND status = 'queued'
                AND next_attempt_at <= $2) AS pending,
            (SELECT count(*) FROM runners WHERE pool = p.pool AND state IN ('launched', 'busy'))
                + (SELECT count(*) FROM jobs WHERE pool = p.pool AND dispatch_state = 'dispatching') AS active,
            (SELECT count(*) FROM jobs WHERE pool = p.pool AND launched_at >= $3 AND launched_at <= $2) AS launches
        FROM unnest($1::text[]) WITH ORDINALITY AS p(pool, position)
        ORDER BY p.position
        """

    /// Queue time per minute of launch (index `jobs_launched`); a job relaunched after a lost
    /// runner counts with its latest launch. Clamped at 0 against clock skew between replicas.
    static let queueTimeSQL = """
        SELECT floor(extract(epoch FROM launched_at) / 60)::bigint AS minute, count(*) AS launches,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY greatest(0, extract(epoch FROM launched_at - received_at)))::float8 AS p50,
            max(greatest(0, extract(epoch FROM launched_at - received_at)))::float8 AS max
        FROM jobs WHERE launched_at >= $1 AND launched_at <= $2
        GROUP BY 1 ORDER BY 1
        """

    /// The newest jobs: the top rows of each dispatch state from `jobs_listing`
    /// (state, received_at DESC, id DESC), merged — no index over all states is needed.
    static let recentJobsSQL = """
        SELECT \(Job.columns(of: "j")) FROM unnest($1::text[]) AS s(state)
        CROSS JOIN LATERAL (
            SELECT * FROM jobs WHERE dispatch_state = s.state ORDER BY received_at DESC, id DESC LIMIT $2
        ) AS j
        ORDER BY j.received_at DESC, j.id DESC LIMIT $2
        """

    /// Jobs with a reason, newest change first (index `jobs_errors`).
    static let failuresSQL = """
        SELECT \(Job.columns) FROM jobs WHERE last_error IS NOT NULL ORDER BY updated_at DESC, id DESC LIMIT $1
        """
}

import Foundation
import Postgres

extension JobStore {
    func claimImpl(pool: String, limit: Int, leaseOwner: String, lease: Duration) async throws -> [Job] {
        try require((1...10_000).contains(limit), "limit must be 1...10000")
        try require(!leaseOwner.isEmpty && leaseOwner.utf8.count <= 256, "lease owner must be 1...256 bytes")
        try require(lease > .zero, "lease must be positive")
        let now = self.now()
        let rows = try await self.pool.query("""
            WITH picked AS (
                SELECT id FROM jobs
                WHERE pool = $1 AND dispatch_state = 'pending' AND status = 'queued' AND next_attempt_at <= $2
                ORDER BY received_at, id
                LIMIT $3
                FOR UPDATE SKIP LOCKED
            )
            UPDATE jobs AS j SET dispatch_state = 'dispatching', lease_owner = $4,
                lease_token = nextval('jobs_lease_token'), lease_expires_at = $5, updated_at = $2
            FROM picked WHERE j.id = picked.id
            RETURNING \(Job.columns(of: "j"))
            """, [.text(pool), .timestamptz(now), .int(limit), .text(leaseOwner), .timestamptz(now + lease.timeInterval)])
        return try rows.rows.map(Job.init(row:)).sorted { ($0.receivedAt, $0.id) < ($1.receivedAt, $1.id) }
    }

    func markLaunchedImpl(jobID: Int64, lease: Lease, runnerName: String, providerID: String?) async throws -> Bool {
        try require(!runnerName.isEmpty && runnerName.utf8.count <= 256, "runner name must be 1...256 bytes")
        let rows = try await pool.query("""
            WITH job AS (
                UPDATE jobs SET dispatch_state = 'launched', lease_owner = NULL, lease_token = NULL,
                    lease_expires_at = NULL, launched_at = $5, launched_runner = $4, updated_at = $5
                WHERE id = $1 AND dispatch_state = 'dispatching' AND lease_owner = $2 AND lease_token = $3
                RETURNING id, pool
            ), runner AS (
                INSERT INTO runners AS r (name, pool, launched_for_job, provider_id, state, launched_at, updated_at)
                SELECT $4, job.pool, job.id, $6, 'launched', $5, $5 FROM job
                ON CONFLICT (name) DO UPDATE SET
                    provider_id = COALESCE(EXCLUDED.provider_id, r.provider_id),
                    launched_for_job = COALESCE(r.launched_for_job, EXCLUDED.launched_for_job),
                    launched_at = COALESCE(r.launched_at, EXCLUDED.launched_at),
                    updated_at = EXCLUDED.updated_at
            )
            SELECT count(*) AS n FROM job
            """, [.int64(jobID), .text(lease.owner), .int64(lease.token), .text(runnerName), .timestamptz(now()), .text(providerID)])
        return try rows.single().decode("n", as: Int.self) == 1
    }

    func releaseImpl(
        jobID: Int64, lease: Lease, retryAfter: Duration, error: String, permanent: Bool, countsAttempt: Bool
    ) async throws -> DispatchState? {
        let now = self.now()
        let rows = try await pool.query("""
            UPDATE jobs SET attempts = attempts + CASE WHEN $9 THEN 1 ELSE 0 END, last_error = $4,
                dispatch_state = CASE WHEN $5 OR ($9 AND attempts + 1 >= $6) THEN 'failed' ELSE 'pending' END,
                next_attempt_at = $7, lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL, updated_at = $8
            WHERE id = $1 AND dispatch_state = 'dispatching' AND lease_owner = $2 AND lease_token = $3
            RETURNING dispatch_state
            """, [.int64(jobID), .text(lease.owner), .int64(lease.token), .text(String(error.prefix(EventLimits.maxReasonLength))),
                  .bool(permanent), .int(maxAttempts), .timestamptz(now + max(.zero, retryAfter).timeInterval), .timestamptz(now),
                  .bool(countsAttempt)])
        guard let row = rows.first else { return nil }
        return DispatchState(rawValue: try row.decode("dispatch_state"))
    }

    func markDoneImpl(jobID: Int64) async throws -> Bool {
        let rows = try await pool.query("""
            UPDATE jobs SET dispatch_state = 'done', updated_at = $2 WHERE id = $1 AND dispatch_state = 'launched'
            """, [.int64(jobID), .timestamptz(now())])
        return rows.affectedRows == 1
    }

    func requeueImpl(jobID: Int64, reason: String) async throws -> Bool {
        // attempts + 1 also gives the next launch a new runner name (…-<attempt>).
        let rows = try await pool.query("""
            UPDATE jobs SET attempts = attempts + 1, last_error = $2, updated_at = $3, next_attempt_at = $3,
                dispatch_state = CASE WHEN attempts + 1 >= $4 THEN 'failed' ELSE 'pending' END
            WHERE id = $1 AND dispatch_state = 'launched' AND status IN ('waiting', 'queued')
            """, [.int64(jobID), .text(String(reason.prefix(EventLimits.maxReasonLength))), .timestamptz(now()), .int(maxAttempts)])
        return rows.affectedRows == 1
    }

    func rescueExpiredLeasesImpl() async throws -> Int {
        let rows = try await pool.query("""
            UPDATE jobs SET attempts = attempts + 1, last_error = 'dispatch lease expired',
                dispatch_state = CASE WHEN attempts + 1 >= $2 THEN 'failed' ELSE 'pending' END,
                next_attempt_at = $1, lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL, updated_at = $1
            WHERE dispatch_state = 'dispatching' AND lease_expires_at < $1
            """, [.timestamptz(now()), .int(maxAttempts)])
        if rows.affectedRows > 0 { logger.warning("rescued expired dispatch leases", metadata: ["count": "\(rows.affectedRows)"]) }
        return rows.affectedRows
    }

    func pendingCountImpl(pool: String) async throws -> Int {
        let rows = try await self.pool.query("""
            SELECT count(*) AS n FROM jobs
            WHERE pool = $1 AND dispatch_state = 'pending' AND status = 'queued' AND next_attempt_at <= $2
            """, [.text(pool), .timestamptz(now())])
        return try rows.single().decode("n")
    }

    func activeRunnerCountImpl(pool: String) async throws -> Int {
        let rows = try await self.pool.query("""
            SELECT (SELECT count(*) FROM runners WHERE pool = $1 AND state IN ('launched', 'busy'))
                 + (SELECT count(*) FROM jobs WHERE pool = $1 AND dispatch_state = 'dispatching') AS n
            """, [.text(pool)])
        return try rows.single().decode("n")
    }

    func poolCountsImpl() async throws -> [PoolCounts] {
        let rows = try await pool.query("""
            SELECT pool, dispatch_state, count(*) AS n,
                count(*) FILTER (WHERE status = 'queued' AND next_attempt_at <= $1) AS claimable
            FROM jobs WHERE dispatch_state IN ('pending', 'dispatching', 'launched', 'unroutable')
            GROUP BY pool, dispatch_state
            """, [.timestamptz(now())])
        var byPool: [String?: PoolCounts] = [:]
        for row in rows.rows {
            let pool: String? = try row.decode("pool")
            guard let state = DispatchState(rawValue: try row.decode("dispatch_state")) else { continue }
            var counts = byPool[pool] ?? PoolCounts(pool: pool, byState: [:], claimable: 0)
            counts.byState[state] = try row.decode("n")
            if state == .pending { counts.claimable = try row.decode("claimable") }
            byPool[pool] = counts
        }
        return byPool.values.sorted { ($0.pool ?? "") < ($1.pool ?? "") }
    }
}

extension Duration {
    /// Seconds as a `TimeInterval`.
    var timeInterval: TimeInterval {
        let c = components
        return TimeInterval(c.seconds) + TimeInterval(c.attoseconds) / 1e18
    }
}

import Foundation
import Postgres

extension JobStore {
    func jobImpl(id: Int64) async throws -> Job? {
        let rows = try await pool.query("SELECT \(Job.columns) FROM jobs WHERE id = $1", [.int64(id)])
        return try rows.first.map(Job.init(row:))
    }

    func jobsImpl(filter: JobFilter) async throws -> [Job] {
        try require((1...1000).contains(filter.limit), "limit must be 1...1000")
        let rows = try await pool.query("""
            SELECT \(Job.columns) FROM jobs
            WHERE ($1::text IS NULL OR dispatch_state = $1)
              AND ($2::text IS NULL OR pool = $2)
              AND ($3::text IS NULL OR status = $3)
              AND ($4::bigint IS NULL OR (received_at, id) < (SELECT received_at, id FROM jobs WHERE id = $4))
            ORDER BY received_at DESC, id DESC
            LIMIT $5
            """, [.text(filter.state?.rawValue), .text(filter.pool), .text(filter.status?.rawValue), .int64(filter.beforeID), .int(filter.limit)])
        return try rows.rows.map(Job.init(row:))
    }

    func upsertRunnerImpl(name: String, pool: String, launchedForJob: Int64?, providerID: String?, state: RunnerState) async throws {
        try require(!name.isEmpty && name.utf8.count <= 256, "runner name must be 1...256 bytes")
        try require(!pool.isEmpty && pool.utf8.count <= 128, "pool must be 1...128 bytes")
        try await self.pool.query("""
            INSERT INTO runners AS r (name, pool, launched_for_job, provider_id, state, launched_at, busy_at,
                finished_at, gone_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6,
                CASE WHEN $5 = 'busy' THEN $6 END, CASE WHEN $5 = 'finished' THEN $6 END,
                CASE WHEN $5 = 'gone' THEN $6 END, $6)
            ON CONFLICT (name) DO UPDATE SET
                launched_for_job = COALESCE(r.launched_for_job, EXCLUDED.launched_for_job),
                provider_id = COALESCE(EXCLUDED.provider_id, r.provider_id),
                state = CASE WHEN runway_runner_rank(EXCLUDED.state) > runway_runner_rank(r.state)
                             THEN EXCLUDED.state ELSE r.state END,
                busy_at = COALESCE(r.busy_at, EXCLUDED.busy_at),
                finished_at = COALESCE(r.finished_at, EXCLUDED.finished_at),
                gone_at = COALESCE(r.gone_at, EXCLUDED.gone_at),
                updated_at = EXCLUDED.updated_at
            """, [.text(name), .text(pool), .int64(launchedForJob), .text(providerID), .text(state.rawValue), .timestamptz(now())])
    }

    func runnerImpl(name: String) async throws -> Runner? {
        let rows = try await pool.query("SELECT \(Runner.columns) FROM runners WHERE name = $1", [.text(name)])
        return try rows.first.map(Runner.init(row:))
    }

    func runnersImpl(pool: String?, states: Set<RunnerState>?, limit: Int) async throws -> [Runner] {
        try require((1...100_000).contains(limit), "limit must be 1...100000")
        let rows = try await self.pool.query("""
            SELECT \(Runner.columns) FROM runners
            WHERE ($1::text IS NULL OR pool = $1) AND ($2::text[] IS NULL OR state = ANY($2))
            ORDER BY launched_at NULLS LAST, name
            LIMIT $3
            """, [.text(pool), .textArray(states.map { $0.map(\.rawValue).sorted() }), .int(limit)])
        return try rows.rows.map(Runner.init(row:))
    }

    func markRunnerGoneImpl(name: String) async throws -> Bool {
        let rows = try await pool.query("""
            UPDATE runners SET state = 'gone', gone_at = $2, updated_at = $2 WHERE name = $1 AND state <> 'gone'
            """, [.text(name), .timestamptz(now())])
        return rows.affectedRows == 1
    }

    func pruneImpl(olderThan: Duration, batch: Int) async throws -> PruneReport {
        try require(olderThan >= .zero, "olderThan must not be negative")
        try require((1...100_000).contains(batch), "batch must be 1...100000")
        let cutoff = now() - olderThan.timeInterval
        var report = PruneReport(jobs: 0, deliveries: 0, runners: 0)
        let statements: [(WritableKeyPath<PruneReport, Int>, String)] = [
            (\.jobs, """
                DELETE FROM jobs WHERE id IN (SELECT id FROM jobs
                    WHERE dispatch_state IN ('done', 'failed', 'cancelled', 'unroutable') AND updated_at < $1
                    ORDER BY updated_at LIMIT $2 FOR UPDATE SKIP LOCKED)
                """),
            (\.deliveries, """
                DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries WHERE received_at < $1
                    ORDER BY received_at LIMIT $2 FOR UPDATE SKIP LOCKED)
                """),
            (\.runners, """
                DELETE FROM runners WHERE name IN (SELECT name FROM runners WHERE state = 'gone' AND updated_at < $1
                    ORDER BY updated_at LIMIT $2 FOR UPDATE SKIP LOCKED)
                """),
        ]
        for (field, sql) in statements {
            while true {
                // One short transaction per batch: no long locks, and the pool stays shared.
                let deleted = try await pool.query(sql, [.timestamptz(cutoff), .int(batch)]).affectedRows
                report[keyPath: field] += deleted
                if deleted < batch { break }
            }
        }
        if report.jobs > 0 { logger.info("pruned finished jobs", metadata: ["count": "\(report.jobs)"]) }
        return report
    }

    func checkpointImpl(_ name: String) async throws -> String? {
        try await pool.query("SELECT value FROM checkpoints WHERE name = $1", [.text(name)]).first?.decode("value")
    }

    func setCheckpointImpl(_ name: String, _ value: String) async throws {
        try require(!name.isEmpty && name.utf8.count <= 128, "checkpoint name must be 1...128 bytes")
        try await pool.query("""
            INSERT INTO checkpoints (name, value, updated_at) VALUES ($1, $2, $3)
            ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at
            """, [.text(name), .text(value), .timestamptz(now())])
    }
}

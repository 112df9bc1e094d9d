import Foundation
import Postgres

extension JobStore {
    func recordImpl(_ event: WorkflowJobEvent) async throws -> RecordOutcome {
        try event.validate()
        let ticket = RecordTicket(event: event)
        batcher.enqueue(ticket)
        let batcher = self.batcher
        let now = self.now
        do {
            try await pool.withConnection { connection in
                guard batcher.startFlushing() else { return }
                while case let batch = batcher.next(), !batch.isEmpty {
                    Self.flush(batch, on: connection, now: now())
                }
            }
        } catch {
            // The pool could not run the flush (database unreachable, pool closed): fail this
            // call unless a flusher already holds the ticket, whose outcome is then authoritative.
            if batcher.remove(ticket) { throw error }
        }
        return try await ticket.wait()
    }

    /// Commits a batch in one transaction. If that fails for a reason other than the
    /// connection, each event is retried alone so one bad event cannot fail its neighbours.
    static func flush(_ batch: [RecordTicket], on connection: PostgresConnection, now: Date) {
        // Row locks are taken in job-id order so two concurrent batches cannot deadlock;
        // the sort is stable, so deliveries for one job keep their arrival order.
        let ordered = batch.enumerated().sorted { ($0.element.event.jobID, $0.offset) < ($1.element.event.jobID, $1.offset) }.map(\.element)
        do {
            let outcomes = try connection.transaction {
                let outcomes = try ordered.map { try apply($0.event, on: connection, now: now) }
                try notifyClaimable(outcomes, on: connection)
                return outcomes
            }
            for (ticket, outcome) in zip(ordered, outcomes) { ticket.complete(.success(outcome)) }
        } catch let error as PostgresError where error.code == .connectionLost || error.code == .connectionFailed || ordered.count == 1 {
            for ticket in ordered { ticket.complete(.failure(error)) }
        } catch {
            for ticket in ordered {
                ticket.complete(Result {
                    try connection.transaction {
                        let outcome = try apply(ticket.event, on: connection, now: now)
                        try notifyClaimable([outcome], on: connection)
                        return outcome
                    }
                })
            }
        }
    }

    private static func notifyClaimable(_ outcomes: [RecordOutcome], on connection: PostgresConnection) throws {
        var pools = Set<String>()
        for case .recorded(let job) in outcomes where job.dispatchState == .pending && job.status == .queued {
            if let pool = job.pool { pools.insert(pool) }
        }
        for pool in pools.sorted() {
            try connection.query("SELECT pg_notify($1, $2)", [.text(notifyChannel), .text(pool)])
        }
    }

    /// One delivery: insert it, upsert the job forward-only, link the runner. One round trip.
    static func apply(_ event: WorkflowJobEvent, on connection: PostgresConnection, now: Date) throws -> RecordOutcome {
        let runner = event.runnerName.flatMap(RunnerName.init(parsing:))
        let rows = try connection.query(recordSQL, [
            .text(event.deliveryID), .text(event.event), .text(event.action), .int64(event.jobID),
            .int64(event.runID), .int(event.runAttempt), .text(event.repository), .text(event.owner),
            .int64(event.installationID), .textArray(event.labels), .text(event.pool), .text(event.status.rawValue),
            .text(event.conclusion), .text(event.runnerName), .text(event.unroutableReason),
            .timestamptz(event.createdAt), .timestamptz(event.startedAt), .timestamptz(event.completedAt),
            .timestamptz(now), .text(runner?.pool), .int64(runner?.jobID),
        ])
        guard let row = rows.first else { return .duplicateDelivery(jobID: event.jobID) }
        return .recorded(try Job(row: row))
    }

    static let recordSQL = """
        WITH delivery AS (
            INSERT INTO deliveries (id, event, action, job_id, received_at, outcome)
            VALUES ($1, $2, $3, $4, $19, 'recorded')
            ON CONFLICT (id) DO NOTHING
            RETURNING id
        ), job AS (
            INSERT INTO jobs AS j (id, run_id, run_attempt, repository, owner, installation_id, labels, pool,
                status, conclusion, runner_name, dispatch_state, next_attempt_at, last_error, created_at,
                received_at, started_at, completed_at, updated_at)
            SELECT $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
                CASE WHEN $11 IS NULL THEN 'unroutable' WHEN $12 = 'completed' THEN 'cancelled' ELSE 'pending' END,
                $19, CASE WHEN $11 IS NULL THEN $15 END, $16, $19, $17, $18, $19
            WHERE EXISTS (SELECT 1 FROM delivery)
            ON CONFLICT (id) DO UPDATE SET
                status = CASE WHEN runway_status_rank(EXCLUDED.status) > runway_status_rank(j.status)
                              THEN EXCLUDED.status ELSE j.status END,
                conclusion = COALESCE(j.conclusion, EXCLUDED.conclusion),
                runner_name = COALESCE(j.runner_name, EXCLUDED.runner_name),
                installation_id = COALESCE(j.installation_id, EXCLUDED.installation_id),
                created_at = COALESCE(j.created_at, EXCLUDED.created_at),
                started_at = COALESCE(j.started_at, EXCLUDED.started_at),
                completed_at = COALESCE(j.completed_at, EXCLUDED.completed_at),
                dispatch_state = CASE
                    WHEN EXCLUDED.status <> 'completed' THEN j.dispatch_state
                    WHEN j.dispatch_state IN ('pending', 'dispatching') THEN 'cancelled'
                    WHEN j.dispatch_state = 'launched' THEN 'done'
                    ELSE j.dispatch_state END,
                lease_owner = CASE WHEN EXCLUDED.status = 'completed' THEN NULL ELSE j.lease_owner END,
                lease_token = CASE WHEN EXCLUDED.status = 'completed' THEN NULL ELSE j.lease_token END,
                lease_expires_at = CASE WHEN EXCLUDED.status = 'completed' THEN NULL ELSE j.lease_expires_at END,
                updated_at = EXCLUDED.updated_at
            RETURNING j.*
        ), runner AS (
            INSERT INTO runners AS r (name, pool, launched_for_job, ran_job, state, busy_at, finished_at, updated_at)
            SELECT $14, $20, $21, $4, CASE WHEN $12 = 'completed' THEN 'finished' ELSE 'busy' END,
                $19, CASE WHEN $12 = 'completed' THEN $19 END, $19
            WHERE $20 IS NOT NULL AND $12 IN ('in_progress', 'completed') AND EXISTS (SELECT 1 FROM delivery)
            ON CONFLICT (name) DO UPDATE SET
                ran_job = COALESCE(r.ran_job, EXCLUDED.ran_job),
                state = CASE WHEN runway_runner_rank(EXCLUDED.state) > runway_runner_rank(r.state)
                             THEN EXCLUDED.state ELSE r.state END,
                busy_at = COALESCE(r.busy_at, EXCLUDED.busy_at),
                finished_at = COALESCE(r.finished_at, EXCLUDED.finished_at),
                updated_at = EXCLUDED.updated_at
        )
        SELECT \(Job.columns) FROM job
        """

    func recordIgnoredDeliveryImpl(deliveryID: String, event: String, action: String?, outcome: String) async throws -> Bool {
        try require(!deliveryID.isEmpty && deliveryID.utf8.count <= 128 && !deliveryID.utf8.contains(0), "delivery id is empty, too long or has a NUL byte")
        try require(!event.isEmpty && event.utf8.count <= 64 && !event.utf8.contains(0), "event is empty, too long or has a NUL byte")
        try require((action?.utf8.count ?? 0) <= 64 && !(action?.utf8.contains(0) ?? false), "action is too long or has a NUL byte")
        try require(!outcome.isEmpty && outcome.utf8.count <= 64 && !outcome.utf8.contains(0), "outcome is empty or too long")
        let rows = try await pool.query("""
            INSERT INTO deliveries (id, event, action, received_at, outcome) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (id) DO NOTHING
            """, [.text(deliveryID), .text(event), .text(action), .timestamptz(now()), .text(outcome)])
        return rows.affectedRows == 1
    }

    func deliveryRecordedImpl(_ deliveryID: String) async throws -> Bool {
        let rows = try await pool.query("SELECT 1 FROM deliveries WHERE id = $1", [.text(deliveryID)])
        return !rows.rows.isEmpty
    }
}

import Foundation
import Postgres

extension JobStore {
    func recordImpl(_ event: WorkflowJobEvent) async throws -> RecordOutcome {
        try event.validate()
        let ticket = RecordTicket(event: event)
        if batcher.enqueue(ticket) {
            // The flusher drains the queue until it is empty, which under load outlasts this
            // call: it runs on its own task so this caller answers as soon as its row is durable.
            let batcher = self.batcher
            let pool = self.pool
            let now = self.now
            Task {
                do {
                    try await pool.withConnection { connection in
                        while case let batch = batcher.next(), !batch.isEmpty {
                            Self.flush(batch, on: connection, now: now())
                        }
                    }
                } catch {
                    // The loop never ran (database unreachable, pool exhausted or closed).
                    batcher.abandon(with: error)
                }
            }
        }
        return try await ticket.wait()
    }

    /// Commits a batch: one statement when its deliveries, jobs and runners are distinct (the
    /// usual case), otherwise one transaction of ordered rounds. If that fails for a reason
    /// other than the connection, each event is retried alone so one bad event cannot fail
    /// its neighbours.
    static func flush(_ batch: [RecordTicket], on connection: PostgresConnection, now: Date) {
        let rounds = RecordRounds.split(batch)
        do {
            let outcomes: [[RecordOutcome]]
            if rounds.count == 1 {
                outcomes = [try apply(rounds[0].map(\.event), on: connection, now: now)]
            } else {
                outcomes = try connection.transaction { try rounds.map { try apply($0.map(\.event), on: connection, now: now) } }
            }
            for (round, results) in zip(rounds, outcomes) {
                for (ticket, outcome) in zip(round, results) { ticket.complete(.success(outcome)) }
            }
        } catch let error as PostgresError where error.code == .connectionLost || error.code == .connectionFailed || batch.count == 1 {
            for ticket in batch { ticket.complete(.failure(error)) }
        } catch {
            for ticket in batch {
                ticket.complete(Result { try apply([ticket.event], on: connection, now: now)[0] })
            }
        }
    }

    /// Applies events with distinct delivery ids, job ids and runner names in one statement;
    /// returns their outcomes in input order.
    static func apply(_ events: [WorkflowJobEvent], on connection: PostgresConnection, now: Date) throws -> [RecordOutcome] {
        // Jobs are upserted in id order, so concurrent batches lock rows in the same order.
        let sorted = events.sorted { $0.jobID < $1.jobID }
        let runners = sorted.map { $0.runnerName.flatMap(RunnerName.init(parsing:)) }
        let rows = try connection.query(recordSQL, [
            .nullableTextArray(sorted.map(\.deliveryID)), .nullableTextArray(sorted.map(\.event)),
            .nullableTextArray(sorted.map(\.action)), .int64Array(sorted.map(\.jobID)), .int64Array(sorted.map(\.runID)),
            .int64Array(sorted.map { Int64($0.runAttempt) }), .nullableTextArray(sorted.map(\.repository)),
            .nullableTextArray(sorted.map(\.owner)), .int64Array(sorted.map(\.installationID)),
            .nullableTextArray(sorted.map { PostgresValue.textArray($0.labels).text }), .nullableTextArray(sorted.map(\.pool)),
            .nullableTextArray(sorted.map(\.status.rawValue)), .nullableTextArray(sorted.map(\.conclusion)),
            .nullableTextArray(sorted.map(\.runnerName)), .nullableTextArray(sorted.map(\.unroutableReason)),
            .timestamptzArray(sorted.map(\.createdAt)), .timestamptzArray(sorted.map(\.startedAt)),
            .timestamptzArray(sorted.map(\.completedAt)), .timestamptz(now),
            .nullableTextArray(runners.map { $0?.pool }), .int64Array(runners.map { $0?.jobID }),
            .nullableTextArray(sorted.map(\.traceparent)),
        ])
        var jobs: [Int64: Job] = [:]
        for row in rows.rows {
            let job = try Job(row: row)
            jobs[job.id] = job
        }
        return events.map { event in jobs[event.jobID].map(RecordOutcome.recorded) ?? .duplicateDelivery(jobID: event.jobID) }
    }

    /// Insert the new deliveries; upsert only the jobs whose delivery was new, moving the GitHub
    /// status forward only; link Runway runners to the job they actually ran.
    static let recordSQL = """
        WITH input AS (
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[],
                $7::text[], $8::text[], $9::bigint[], $10::text[], $11::text[], $12::text[], $13::text[],
                $14::text[], $15::text[], $16::timestamptz[], $17::timestamptz[], $18::timestamptz[],
                $20::text[], $21::bigint[], $22::text[])
            AS t(delivery_id, event, action, job_id, run_id, run_attempt, repository, owner, installation_id,
                labels, pool, status, conclusion, runner_name, reason, created_at, started_at, completed_at,
                runner_pool, runner_job, traceparent)
        ), delivery AS (
            INSERT INTO deliveries (id, event, action, job_id, received_at, outcome)
            SELECT delivery_id, event, action, job_id, $19, 'recorded' FROM input
            ON CONFLICT (id) DO NOTHING
            RETURNING id
        ), fresh AS (
            SELECT input.* FROM input JOIN delivery ON delivery.id = input.delivery_id
        ), job AS (
            INSERT INTO jobs AS j (id, run_id, run_attempt, repository, owner, installation_id, labels, pool,
                status, conclusion, runner_name, dispatch_state, next_attempt_at, last_error, created_at,
                received_at, started_at, completed_at, updated_at, traceparent)
            SELECT job_id, run_id, run_attempt, repository, owner, installation_id, labels::text[], pool,
                status, conclusion, runner_name,
                CASE WHEN pool IS NULL THEN 'unroutable' WHEN status = 'completed' THEN 'cancelled' ELSE 'pending' END,
                $19, CASE WHEN pool IS NULL THEN reason END, created_at, $19, started_at, completed_at, $19, traceparent
            FROM fresh ORDER BY job_id
            ON CONFLICT (id) DO UPDATE SET
                status = CASE WHEN runway_status_rank(EXCLUDED.status) > runway_status_rank(j.status)
                              THEN EXCLUDED.status ELSE j.status END,
                conclusion = COALESCE(j.conclusion, EXCLUDED.conclusion),
                runner_name = COALESCE(j.runner_name, EXCLUDED.runner_name),
                installation_id = COALESCE(j.installation_id, EXCLUDED.installation_id),
                created_at = COALESCE(j.created_at, EXCLUDED.created_at),
                started_at = COALESCE(j.started_at, EXCLUDED.started_at),
                completed_at = COALESCE(j.completed_at, EXCLUDED.completed_at),
                traceparent = COALESCE(j.traceparent, EXCLUDED.traceparent),
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
            SELECT runner_name, runner_pool, runner_job, job_id,
                CASE WHEN status = 'completed' THEN 'finished' ELSE 'busy' END,
                $19, CASE WHEN status = 'completed' THEN $19::timestamptz END, $19
            FROM fresh WHERE runner_pool IS NOT NULL AND status IN ('in_progress', 'completed')
            ORDER BY runner_name
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

/// Splits a batch into rounds in which no delivery id, job id or runner name repeats (one
/// statement cannot upsert a row twice), keeping arrival order for each key.
enum RecordRounds {
    static func split(_ batch: [RecordTicket]) -> [[RecordTicket]] {
        var rounds: [[RecordTicket]] = []
        var lastRound: [String: Int] = [:]
        for ticket in batch {
            let event = ticket.event
            let keys = ["d:" + event.deliveryID, "j:\(event.jobID)"] + (event.runnerName.map { ["r:" + $0] } ?? [])
            let round = (keys.compactMap { lastRound[$0] }.max() ?? -1) + 1
            if round == rounds.count { rounds.append([]) }
            rounds[round].append(ticket)
            for key in keys { lastRound[key] = round }
        }
        return rounds
    }
}

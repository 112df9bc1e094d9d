import Foundation
import JobStore
import Postgres

/// The job store as the Publisher's `DispatchStore`.
extension JobStore: DispatchStore {

    public func claim(pool: String, limit: Int, leaseOwner: String, lease: Duration) async throws -> [DispatchJob] {
        let jobs: [Job] = try await claim(pool: pool, limit: limit, leaseOwner: leaseOwner, lease: lease)
        return jobs.map { job in
            DispatchJob(
                id: job.id, runID: job.runID, pool: job.pool ?? pool, labels: job.labels, owner: job.owner,
                repository: job.repository, installationID: job.installationID, attempt: job.attempts,
                runnerAttempt: job.launchedRunner.flatMap(RunnerName.init(parsing:)).map { $0.attempt + 1 } ?? 0, leaseToken: job.lease?.token ?? 0, receivedAt: job.receivedAt,
                traceparent: job.traceparent)
        }
    }

    public func markLaunched(_ job: DispatchJob, leaseOwner: String, runnerName: String, providerID: String) async throws -> Bool {
        try await markLaunched(jobID: job.id, lease: Lease(owner: leaseOwner, token: job.leaseToken), runnerName: runnerName, providerID: providerID)
    }

    public func release(
        _ job: DispatchJob, leaseOwner: String, retryAfter: Duration, error: String, permanent: Bool, countsAttempt: Bool,
        maxAttempts: Int
    ) async throws -> ReleaseResult {
        // The store applies its own global limit; a pool's lower `max_attempts` is applied here.
        let giveUp = permanent || (countsAttempt && job.attempt + 1 >= maxAttempts)
        let state = try await release(
            jobID: job.id, lease: Lease(owner: leaseOwner, token: job.leaseToken), retryAfter: retryAfter, error: error,
            permanent: giveUp, countsAttempt: countsAttempt)
        switch state {
        case nil: return .notHeld
        case .failed?: return .failed
        case .some: return .pending
        }
    }

    public func snapshot(pool: String) async throws -> PoolSnapshot {
        // Jobs before runners: `markLaunched` writes a job and its runner in one statement, so every
        // launched job read here has its runner in the later read (the reverse order would see
        // jobs launched in between without their runner, and requeue them as lost).
        let launched = try await jobs(filter: JobFilter(state: .launched, pool: pool, limit: 1000))
        let runners = try await runners(pool: pool, states: [.launched, .busy, .finished], limit: 1000)
        let waiting = launched
            .filter { $0.status <= .queued }
            .sorted { ($0.receivedAt, $0.id) < ($1.receivedAt, $1.id) }
            .compactMap { job -> WaitingJob? in
                guard let runner = job.launchedRunner else { return nil }
                return WaitingJob(id: job.id, runnerName: runner, launchedAt: job.launchedAt ?? job.updatedAt)
            }
        return PoolSnapshot(
            runners: runners.map(Self.record), waitingJobs: waiting, pendingCount: try await pendingCount(pool: pool),
            complete: launched.count < 1000 && runners.count < 1000)
    }

    public func requeue(jobID: Int64, reason: String, maxAttempts: Int) async throws -> ReleaseResult {
        let before: Job? = try await job(id: jobID)
        guard let before, before.dispatchState == .launched else { return .notHeld }
        guard try await requeue(jobID: jobID, reason: reason) else { return .notHeld }
        let after: Job? = try await job(id: jobID)
        return after?.dispatchState == DispatchState.failed ? .failed : .pending
    }

    public func runnersToTearDown(limit: Int) async throws -> [RunnerRecord] {
        try await runners(pool: nil, states: [.finished], limit: limit).map(Self.record)
    }

    public func markRunnerGone(name: String) async throws {
        _ = try await markRunnerGone(name: name) as Bool
    }

    public func strayJobs(knownPools: [String], limit: Int) async throws -> [StrayJob] {
        let known = Set(knownPools)
        var stray: [StrayJob] = []
        for counts in try await poolCounts() {
            guard let pool = counts.pool, !known.contains(pool), (counts.byState[.pending] ?? 0) > 0 else { continue }
            let jobs = try await jobs(filter: JobFilter(state: .pending, pool: pool, limit: min(1000, max(1, limit))))
            stray += jobs.map { StrayJob(id: $0.id, pool: pool, labels: $0.labels) }
        }
        return Array(stray.prefix(limit))
    }

    public func reroute(jobID: Int64, pool: String?, reason: String) async throws {
        // The store has no re-route operation yet: one fenced statement on the jobs table.
        if let pool {
            try await self.pool.query(
                "UPDATE jobs SET pool = $2, updated_at = now() WHERE id = $1 AND dispatch_state = 'pending'",
                [.int64(jobID), .text(pool)])
        } else {
            try await self.pool.query(
                "UPDATE jobs SET dispatch_state = 'unroutable', last_error = $2, updated_at = now() WHERE id = $1 AND dispatch_state = 'pending'",
                [.int64(jobID), .text(reason)])
        }
    }

    public func jobs(state: String?, pool: String?, limit: Int) async throws -> [JobView] {
        var filter = JobFilter(pool: pool, limit: max(1, min(limit, 1000)))
        if let state {
            guard let parsed = DispatchState(rawValue: state) else { return [] }
            filter.state = parsed
        }
        return try await jobs(filter: filter).map(Self.view)
    }

    public func job(id: Int64) async throws -> JobView? {
        let job: Job? = try await job(id: id)
        return job.map(Self.view)
    }

    static func record(_ runner: Runner) -> RunnerRecord {
        RunnerRecord(
            name: runner.name, pool: runner.pool,
            launchedFor: runner.launchedForJob ?? RunnerName(parsing: runner.name)?.jobID ?? 0,
            ranJob: runner.ranJob, launchedAt: runner.launchedAt ?? runner.updatedAt)
    }

    static func view(_ job: Job) -> JobView {
        JobView(
            id: job.id, runID: job.runID, repository: job.repository, labels: job.labels, pool: job.pool,
            status: job.status.rawValue, dispatchState: job.dispatchState.rawValue,
            runnerName: job.runnerName ?? job.launchedRunner, attempts: job.attempts, lastError: job.lastError,
            receivedAt: job.receivedAt, launchedAt: job.launchedAt, completedAt: job.completedAt,
            traceID: job.traceparent.flatMap { $0.split(separator: "-").dropFirst().first.map(String.init) })
    }
}

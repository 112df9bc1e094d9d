import Foundation
import Postgres

// Public surface of the store; implementations live in the JobStore+*.swift files.
extension JobStore {
    /// Records one `workflow_job` delivery and upserts its job, durably, before returning.
    ///
    /// Idempotent by `deliveryID`. The GitHub status only moves forward; a job first seen
    /// `completed` is stored `cancelled`; one completed while `pending`/`dispatching` becomes
    /// `cancelled`, while `launched` becomes `done`. `in_progress`/`completed` set the runner name
    /// and link one of Runway's runners to the job it actually ran. Concurrent calls share one
    /// commit (group commit); each returns only after its own row is committed.
    /// Throws `JobStoreError(.invalidEvent)` for bad input (nothing stored) or `PostgresError`.
    public func record(_ event: WorkflowJobEvent) async throws -> RecordOutcome {
        try await recordImpl(event)
    }

    /// Records a delivery that carries no job (`ping`, other events, GitHub-hosted jobs) so a
    /// redelivery sweep knows it arrived. Returns `false` when the delivery id was already recorded.
    public func recordIgnoredDelivery(deliveryID: String, event: String, action: String?, outcome: String) async throws -> Bool {
        try await recordIgnoredDeliveryImpl(deliveryID: deliveryID, event: event, action: action, outcome: outcome)
    }

    /// Whether a delivery id was recorded (by `record` or `recordIgnoredDelivery`).
    public func deliveryRecorded(_ deliveryID: String) async throws -> Bool {
        try await deliveryRecordedImpl(deliveryID)
    }

    /// Claims up to `limit` claimable jobs of `pool` FIFO (receive time, then id) and leases them
    /// to `leaseOwner` for `lease`, in one `UPDATE … FOR UPDATE SKIP LOCKED` statement.
    /// Claimable: `pending`, GitHub `queued`, `next_attempt_at` passed. Returned in FIFO order.
    public func claim(pool: String, limit: Int, leaseOwner: String, lease: Duration) async throws -> [Job] {
        try await claimImpl(pool: pool, limit: limit, leaseOwner: leaseOwner, lease: lease)
    }

    /// Marks a claimed job `launched` and records its runner, fenced by the lease: `false` when
    /// the lease was lost (rescued, re-claimed, or the job completed meanwhile). On `false` the
    /// caller must not count the launch; the runner it started is surplus and gets reaped.
    public func markLaunched(jobID: Int64, lease: Lease, runnerName: String, providerID: String?) async throws -> Bool {
        try await markLaunchedImpl(jobID: jobID, lease: lease, runnerName: runnerName, providerID: providerID)
    }

    /// Gives a claimed job back after a failed launch: attempts + 1 and `pending` again after
    /// `retryAfter`, or `failed` when `permanent` or attempts reach `maxAttempts`. The error text
    /// is kept in `last_error`. Returns the new state, or `nil` when the lease was lost.
    /// A deferral (`countsAttempt` false: the launcher was asked to come back later) keeps the
    /// attempts and is never failed by their limit.
    public func release(
        jobID: Int64, lease: Lease, retryAfter: Duration, error: String, permanent: Bool = false, countsAttempt: Bool = true
    ) async throws -> DispatchState? {
        try await releaseImpl(
            jobID: jobID, lease: lease, retryAfter: retryAfter, error: error, permanent: permanent, countsAttempt: countsAttempt)
    }

    /// Marks a `launched` job `done` (e.g. the reconciler saw its runner finish). Returns whether it changed.
    public func markDone(jobID: Int64) async throws -> Bool {
        try await markDoneImpl(jobID: jobID)
    }

    /// Puts a `launched` job that GitHub still reports `waiting`/`queued` back to `pending`
    /// (its runner ran another job, or died). Returns whether it changed.
    public func requeue(jobID: Int64, reason: String) async throws -> Bool {
        try await requeueImpl(jobID: jobID, reason: reason)
    }

    /// Returns every expired `dispatching` lease to `pending` (counting it as a failed attempt,
    /// `failed` past `maxAttempts`). Returns how many jobs were rescued.
    public func rescueExpiredLeases() async throws -> Int {
        try await rescueExpiredLeasesImpl()
    }

    /// Claimable jobs of a pool right now.
    public func pendingCount(pool: String) async throws -> Int {
        try await pendingCountImpl(pool: pool)
    }

    /// Runners counting against `max_runners`: runners `launched` or `busy` in the pool plus
    /// jobs `dispatching` there (launch in flight).
    public func activeRunnerCount(pool: String) async throws -> Int {
        try await activeRunnerCountImpl(pool: pool)
    }

    /// Job counts per pool and state, for `GET /v1/pools` and queue-depth metrics.
    public func poolCounts() async throws -> [PoolCounts] {
        try await poolCountsImpl()
    }

    /// One job by id.
    public func job(id: Int64) async throws -> Job? {
        try await jobImpl(id: id)
    }

    /// Jobs matching a filter, newest first.
    public func jobs(filter: JobFilter) async throws -> [Job] {
        try await jobsImpl(filter: filter)
    }

    /// Creates or advances a runner row (state only moves forward; known fields are kept).
    public func upsertRunner(name: String, pool: String, launchedForJob: Int64?, providerID: String?, state: RunnerState) async throws {
        try await upsertRunnerImpl(name: name, pool: pool, launchedForJob: launchedForJob, providerID: providerID, state: state)
    }

    /// One runner by name.
    public func runner(name: String) async throws -> Runner? {
        try await runnerImpl(name: name)
    }

    /// Runners of a pool (all pools when `nil`), optionally only in the given states, oldest first.
    public func runners(pool: String?, states: Set<RunnerState>? = nil, limit: Int = 1000) async throws -> [Runner] {
        try await runnersImpl(pool: pool, states: states, limit: limit)
    }

    /// Marks a runner `gone` (the Orchestrator confirmed tear-down). Returns whether it changed.
    public func markRunnerGone(name: String) async throws -> Bool {
        try await markRunnerGoneImpl(name: name)
    }

    /// Deletes finished jobs (and old deliveries and gone runners) last updated before
    /// `now - olderThan`, `batch` rows per transaction so it never holds long locks.
    public func prune(olderThan: Duration, batch: Int = 1000) async throws -> PruneReport {
        try await pruneImpl(olderThan: olderThan, batch: batch)
    }

    /// A named checkpoint (e.g. the Producer's redelivery sweep position).
    public func checkpoint(_ name: String) async throws -> String? {
        try await checkpointImpl(name)
    }

    /// Sets a named checkpoint.
    public func setCheckpoint(_ name: String, _ value: String) async throws {
        try await setCheckpointImpl(name, value)
    }
}

import Foundation

/// What the Publisher needs from the job store. Every call is one short transaction; none is
/// ever held across an Orchestrator call. `JobStore` conforms through an adapter.
public protocol DispatchStore: Sendable {
    /// Claims up to `limit` pending jobs of `pool` FIFO (receive time, then id) whose next attempt
    /// is due, leasing them to `leaseOwner` for `lease`.
    func claim(pool: String, limit: Int, leaseOwner: String, lease: Duration) async throws -> [DispatchJob]
    /// Records a launch; false when the lease was lost meanwhile (fencing), in which case nothing changes.
    func markLaunched(_ job: DispatchJob, leaseOwner: String, runnerName: String, providerID: String) async throws -> Bool
    /// Gives a leased job back: pending after `retryAfter` with attempts + 1, or `failed` with
    /// `error` kept when `permanent` or when attempts reach `maxAttempts`. A deferral
    /// (`countsAttempt` false) keeps the attempts and never fails the job.
    func release(
        _ job: DispatchJob, leaseOwner: String, retryAfter: Duration, error: String, permanent: Bool, countsAttempt: Bool,
        maxAttempts: Int
    ) async throws -> ReleaseResult
    /// Runners of `pool` launched and not yet finished, plus jobs being dispatched.
    func activeRunnerCount(pool: String) async throws -> Int
    /// Jobs of `pool` pending dispatch (including ones waiting for their next attempt).
    func pendingCount(pool: String) async throws -> Int

    /// Returns expired dispatch leases to pending; the number returned.
    func rescueExpiredLeases() async throws -> Int
    /// The reconciler's view of one pool.
    func snapshot(pool: String) async throws -> PoolSnapshot
    /// Puts a `launched` job that is still queued back to pending with attempts + 1 (or
    /// `failed` past `maxAttempts`), keeping `reason`.
    func requeue(jobID: Int64, reason: String, maxAttempts: Int) async throws -> ReleaseResult
    /// Runners whose job is completed (or that were condemned) and that are not yet confirmed gone.
    func runnersToTearDown(limit: Int) async throws -> [RunnerRecord]
    /// Records that the Orchestrator confirmed a runner's removal.
    func markRunnerGone(name: String) async throws
    /// Pending jobs whose pool is not among `knownPools` (the configuration changed).
    func strayJobs(knownPools: [String], limit: Int) async throws -> [StrayJob]
    /// Moves a stray pending job to `pool`, or marks it `unroutable` with `reason` when `pool` is nil.
    func reroute(jobID: Int64, pool: String?, reason: String) async throws

    /// Jobs for the admin API, newest first.
    func jobs(state: String?, pool: String?, limit: Int) async throws -> [JobView]
    /// One job for the admin API.
    func job(id: Int64) async throws -> JobView?
}

/// What became of a released or requeued job.
public enum ReleaseResult: Sendable, Equatable {
    /// Pending again; it will be claimed after its backoff.
    case pending
    /// Given up: `failed` with its reason kept.
    case failed
    /// The lease was no longer ours (or the job moved on); nothing changed.
    case notHeld
}

/// A runner as the database knows it.
public struct RunnerRecord: Sendable, Equatable {
    /// `runway-<pool>-<job id>-<attempt>`.
    public var name: String
    public var pool: String
    /// The job the runner was launched for.
    public var launchedFor: Int64
    /// The job GitHub gave it (from `workflow_job.runner_name`), if any yet.
    public var ranJob: Int64?
    public var launchedAt: Date

    /// Creates a runner record.
    public init(
        name: String, pool: String, launchedFor: Int64, ranJob: Int64? = nil, launchedAt: Date
    ) {
        self.name = name
        self.pool = pool
        self.launchedFor = launchedFor
        self.ranJob = ranJob
        self.launchedAt = launchedAt
    }
}

/// A launched job GitHub has not started yet.
public struct WaitingJob: Sendable, Equatable {
    public var id: Int64
    /// The runner launched for it.
    public var runnerName: String
    public var launchedAt: Date

    /// Creates a waiting job.
    public init(id: Int64, runnerName: String, launchedAt: Date) {
        self.id = id
        self.runnerName = runnerName
        self.launchedAt = launchedAt
    }
}

/// The reconciler's view of one pool, read in one transaction.
public struct PoolSnapshot: Sendable, Equatable {
    /// Runners not yet confirmed gone.
    public var runners: [RunnerRecord]
    /// Jobs in `launched` whose GitHub status is still `waiting`/`queued`, oldest first.
    public var waitingJobs: [WaitingJob]
    /// Jobs pending dispatch.
    public var pendingCount: Int
    /// False when a listing was cut at its limit: rules that act on the absence of a runner from
    /// `runners` (orphans, a waiting job's missing runner) then wait, since absence proves nothing.
    public var complete: Bool

    /// Creates a snapshot.
    public init(runners: [RunnerRecord] = [], waitingJobs: [WaitingJob] = [], pendingCount: Int = 0, complete: Bool = true) {
        self.runners = runners
        self.waitingJobs = waitingJobs
        self.pendingCount = pendingCount
        self.complete = complete
    }
}

/// A pending job whose pool no longer exists.
public struct StrayJob: Sendable, Equatable {
    public var id: Int64
    public var pool: String
    public var labels: [String]

    /// Creates a stray job.
    public init(id: Int64, pool: String, labels: [String]) {
        self.id = id
        self.pool = pool
        self.labels = labels
    }
}

/// A job as the admin API shows it (DESIGN.md, "Publisher").
public struct JobView: Sendable, Equatable, Codable {
    public var id: Int64
    public var runID: Int64
    public var repository: String?
    public var labels: [String]
    public var pool: String?
    public var status: String
    public var dispatchState: String
    public var runnerName: String?
    public var attempts: Int
    public var lastError: String?
    public var receivedAt: Date
    public var launchedAt: Date?
    public var completedAt: Date?
    /// The W3C trace id of the webhook that brought the job (search the services' logs for it).
    public var traceID: String?

    /// Creates a job view.
    public init(
        id: Int64, runID: Int64, repository: String?, labels: [String], pool: String?, status: String,
        dispatchState: String, runnerName: String?, attempts: Int, lastError: String?, receivedAt: Date,
        launchedAt: Date?, completedAt: Date?, traceID: String? = nil
    ) {
        self.id = id
        self.runID = runID
        self.repository = repository
        self.labels = labels
        self.pool = pool
        self.status = status
        self.dispatchState = dispatchState
        self.runnerName = runnerName
        self.attempts = attempts
        self.lastError = lastError
        self.receivedAt = receivedAt
        self.launchedAt = launchedAt
        self.completedAt = completedAt
        self.traceID = traceID
    }

    enum CodingKeys: String, CodingKey {
        case id, runID = "run_id", repository, labels, pool, status, dispatchState = "dispatch_state"
        case runnerName = "runner_name", attempts, lastError = "last_error", receivedAt = "received_at"
        case launchedAt = "launched_at", completedAt = "completed_at", traceID = "trace_id"
    }
}

import Foundation

/// A dispatch lease: who claimed a job, and a token unique to that claim.
///
/// `markLaunched` and `release` are fenced by both, so a Publisher whose lease expired and was
/// rescued cannot launch or release the job again, even if the same owner claimed it since.
public struct Lease: Sendable, Codable, Hashable {
    /// The claimer's identity (e.g. `publisher-<host>-<pid>`).
    public var owner: String
    /// Unique per claim (a database sequence).
    public var token: Int64

    /// Creates a lease value.
    public init(owner: String, token: Int64) {
        self.owner = owner
        self.token = token
    }
}

/// One row of the `jobs` table: a GitHub `workflow_job` and its dispatch state.
///
/// Encodes to the admin API's JSON shape with snake_case keys (DESIGN.md, Publisher `GET /v1/jobs`).
public struct Job: Sendable, Codable, Equatable {
    /// `workflow_job.id`.
    public var id: Int64
    /// `workflow_job.run_id`.
    public var runID: Int64
    /// `workflow_job.run_attempt`.
    public var runAttempt: Int
    /// `owner/name`.
    public var repository: String
    /// Repository owner login.
    public var owner: String
    /// GitHub App installation id, when known.
    public var installationID: Int64?
    /// Labels the job asks for.
    public var labels: [String]
    /// Routed pool; `nil` for unroutable jobs.
    public var pool: String?
    /// Latest GitHub status (never moves back).
    public var status: GitHubStatus
    /// GitHub conclusion once completed.
    public var conclusion: String?
    /// The runner GitHub says ran the job (which may not be the one launched for it).
    public var runnerName: String?
    /// Runway's dispatch state.
    public var dispatchState: DispatchState
    /// Failed launch attempts so far (a rescued lease counts as one).
    public var attempts: Int
    /// The current lease while `dispatching`.
    public var lease: Lease?
    /// When the current lease expires.
    public var leaseExpiresAt: Date?
    /// The job is not claimed before this time (backoff after a failed attempt).
    public var nextAttemptAt: Date
    /// The reason of the last failure, or why the job is unroutable.
    public var lastError: String?
    /// The runner name Runway launched for the job (`runway-<pool>-<job id>-<attempt>`).
    public var launchedRunner: String?
    /// First delivery seen by Runway.
    public var receivedAt: Date
    /// When a runner was launched for it.
    public var launchedAt: Date?
    /// `workflow_job.started_at`.
    public var startedAt: Date?
    /// `workflow_job.completed_at`.
    public var completedAt: Date?
    /// Last change to the row.
    public var updatedAt: Date
    /// The W3C `traceparent` of the first delivery for the job; dispatch continues its trace.
    public var traceparent: String? = nil

    enum CodingKeys: String, CodingKey {
        case id, labels, pool, status, conclusion, attempts, lease, repository, owner
        case runID = "run_id", runAttempt = "run_attempt", installationID = "installation_id"
        case runnerName = "runner_name", dispatchState = "dispatch_state"
        case leaseExpiresAt = "lease_expires_at", nextAttemptAt = "next_attempt_at", lastError = "last_error"
        case launchedRunner = "launched_runner", receivedAt = "received_at", launchedAt = "launched_at"
        case startedAt = "started_at", completedAt = "completed_at", updatedAt = "updated_at", traceparent
    }
}

/// Which jobs `JobStore.jobs(filter:)` lists, newest first.
public struct JobFilter: Sendable, Equatable {
    /// Only this dispatch state.
    public var state: DispatchState?
    /// Only this pool.
    public var pool: String?
    /// Only this GitHub status.
    public var status: GitHubStatus?
    /// Only jobs received before this job id's receive time (keyset pagination: pass the last id seen).
    public var beforeID: Int64?
    /// At most this many rows (1...1000; default 100).
    public var limit: Int

    /// Creates a filter.
    public init(state: DispatchState? = nil, pool: String? = nil, status: GitHubStatus? = nil, beforeID: Int64? = nil, limit: Int = 100) {
        self.state = state
        self.pool = pool
        self.status = status
        self.beforeID = beforeID
        self.limit = limit
    }
}

/// Job counts of one pool, for `GET /v1/pools` and queue-depth metrics.
public struct PoolCounts: Sendable, Equatable {
    /// Pool name; `nil` groups the unroutable jobs.
    public var pool: String?
    /// Unfinished jobs (and unroutable ones) per dispatch state; states with no jobs are absent.
    public var byState: [DispatchState: Int]
    /// Pending jobs that are claimable now (GitHub `queued`, backoff passed).
    public var claimable: Int

    /// Creates a value.
    public init(pool: String?, byState: [DispatchState: Int], claimable: Int) {
        self.pool = pool
        self.byState = byState
        self.claimable = claimable
    }
}

/// What `JobStore.prune` deleted.
public struct PruneReport: Sendable, Equatable {
    /// Finished jobs deleted.
    public var jobs: Int
    /// Deliveries deleted.
    public var deliveries: Int
    /// Runners in state `gone` deleted.
    public var runners: Int

    /// Creates a report.
    public init(jobs: Int, deliveries: Int, runners: Int) {
        self.jobs = jobs
        self.deliveries = deliveries
        self.runners = runners
    }
}

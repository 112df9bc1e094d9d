/// The GitHub `workflow_job` status. It only moves forward: `waiting` < `queued` < `in_progress` < `completed`.
public enum GitHubStatus: String, Sendable, Codable, CaseIterable, Comparable {
    /// Held by an environment protection rule; not dispatched until `queued`.
    case waiting
    /// Waiting for a runner: the only status a job is dispatched in.
    case queued
    /// A runner picked the job up (`workflow_job.runner_name` is set).
    case inProgress = "in_progress"
    /// Finished, with a `conclusion`.
    case completed

    /// The position in GitHub's forward-only order.
    public var rank: Int {
        switch self {
        case .waiting: 0
        case .queued: 1
        case .inProgress: 2
        case .completed: 3
        }
    }

    /// Parses GitHub's wire value, throwing `JobStoreError.invalidEvent` for anything unknown.
    public init(validating raw: String) throws(JobStoreError) {
        guard let status = GitHubStatus(rawValue: raw) else {
            throw JobStoreError(.invalidEvent, "unknown workflow_job status")
        }
        self = status
    }

    /// Orders by `rank`.
    public static func < (lhs: GitHubStatus, rhs: GitHubStatus) -> Bool { lhs.rank < rhs.rank }
}

/// Runway's own dispatch state of a job, separate from the GitHub status.
///
/// `pending → dispatching (lease) → launched → done`, plus the terminal `unroutable` (no pool
/// matches), `failed` (gave up after `maxAttempts`, reason kept) and `cancelled` (completed before
/// any launch). See docs/schema.md for every transition.
public enum DispatchState: String, Sendable, Codable, CaseIterable {
    /// Waiting to be claimed (claimable once GitHub says `queued` and `next_attempt_at` has passed).
    case pending
    /// Claimed by a Publisher under a lease; a launch is in flight.
    case dispatching
    /// A runner was launched for the job.
    case launched
    /// The job completed after its runner was launched.
    case done
    /// No pool serves the job's labels; kept and alerted, never launched.
    case unroutable
    /// Launching failed permanently or `maxAttempts` times; `last_error` says why.
    case failed
    /// The job completed before anything was launched for it.
    case cancelled

    /// Whether nothing more will ever be done for the job.
    public var isFinished: Bool {
        switch self {
        case .done, .failed, .cancelled, .unroutable: true
        case .pending, .dispatching, .launched: false
        }
    }
}

import Foundation
import JobStore

/// What the status page needs from the job store: one bounded, consistent read.
/// `JobStore` conforms (below); tests use a fake.
public protocol StatusSource: Sendable {
    /// The pools' counts, the queue-time buckets, recent jobs and failures, per `query`.
    func statusSnapshot(_ query: StatusQuery) async throws -> StatusSnapshot
}

/// The data behind one rendering of the status page.
public struct StatusSnapshot: Sendable, Equatable {
    /// When the data was read (the store's clock); the chart's window ends here.
    public var takenAt: Date
    /// Live counts and recent launches per pool.
    public var pools: [PoolActivity]
    /// Queue time per minute of launch, oldest first; minutes without launches absent.
    public var queueTimes: [QueueTimeBucket]
    /// Newest jobs first.
    public var recentJobs: [StatusJob]
    /// Jobs with a reason (failed, unroutable, retried), newest change first.
    public var failures: [StatusJob]

    /// Creates a snapshot.
    public init(takenAt: Date, pools: [PoolActivity] = [], queueTimes: [QueueTimeBucket] = [],
                recentJobs: [StatusJob] = [], failures: [StatusJob] = []) {
        self.takenAt = takenAt
        self.pools = pools
        self.queueTimes = queueTimes
        self.recentJobs = recentJobs
        self.failures = failures
    }
}

/// A job as the status page shows it.
public struct StatusJob: Sendable, Equatable {
    /// The `workflow_job` id.
    public var id: Int64
    /// `owner/name`, as the webhook said (untrusted text: always escaped).
    public var repository: String
    /// The routed pool; nil when unroutable.
    public var pool: String?
    /// GitHub status.
    public var status: String
    /// Runway's dispatch state.
    public var dispatchState: String
    /// The runner GitHub says ran it, else the one Runway launched for it.
    public var runnerName: String?
    /// Failed launch attempts.
    public var attempts: Int
    /// The last failure's reason, or why it is unroutable.
    public var lastError: String?
    /// First delivery seen.
    public var receivedAt: Date
    /// When a runner was launched for it.
    public var launchedAt: Date?
    /// Last change to the job (for a failure: when it failed or was retried).
    public var updatedAt: Date

    /// Creates a job row.
    public init(
        id: Int64, repository: String, pool: String?, status: String, dispatchState: String, runnerName: String? = nil,
        attempts: Int = 0, lastError: String? = nil, receivedAt: Date, launchedAt: Date? = nil, updatedAt: Date? = nil
    ) {
        self.id = id
        self.repository = repository
        self.pool = pool
        self.status = status
        self.dispatchState = dispatchState
        self.runnerName = runnerName
        self.attempts = attempts
        self.lastError = lastError
        self.receivedAt = receivedAt
        self.launchedAt = launchedAt
        self.updatedAt = updatedAt ?? launchedAt ?? receivedAt
    }

    /// `launched_at − received_at` in seconds, when launched.
    public var queueTime: Double? { launchedAt.map { max(0, $0.timeIntervalSince(receivedAt)) } }
}

extension JobStore: StatusSource {
    /// The status report read in one snapshot (`statusReport`), as the page's rows.
    public func statusSnapshot(_ query: StatusQuery) async throws -> StatusSnapshot {
        let report = try await statusReport(query)
        return StatusSnapshot(
            takenAt: report.takenAt, pools: report.pools, queueTimes: report.queueTimes,
            recentJobs: report.recentJobs.map(StatusJob.init(job:)), failures: report.failures.map(StatusJob.init(job:)))
    }
}

extension StatusJob {
    init(job: Job) {
        self.init(
            id: job.id, repository: job.repository, pool: job.pool, status: job.status.rawValue,
            dispatchState: job.dispatchState.rawValue, runnerName: job.runnerName ?? job.launchedRunner,
            attempts: job.attempts, lastError: job.lastError, receivedAt: job.receivedAt, launchedAt: job.launchedAt,
            updatedAt: job.updatedAt)
    }
}

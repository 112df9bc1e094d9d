import Foundation

/// One `workflow_job` delivery, already parsed and routed by the Producer, as the store records it.
public struct WorkflowJobEvent: Sendable, Equatable {
    /// `X-GitHub-Delivery`; the idempotency key for the delivery.
    public var deliveryID: String
    /// `X-GitHub-Event`, normally `workflow_job`.
    public var event: String
    /// The payload's `action` (`queued`, `waiting`, `in_progress`, `completed`).
    public var action: String
    /// `workflow_job.id`; the job's primary key.
    public var jobID: Int64
    /// `workflow_job.run_id`.
    public var runID: Int64
    /// `workflow_job.run_attempt` (1 for the first attempt).
    public var runAttempt: Int
    /// `repository.full_name`, `owner/name`.
    public var repository: String
    /// `repository.owner.login` (or the organization).
    public var owner: String
    /// `installation.id` of the GitHub App, when the delivery came through an App.
    public var installationID: Int64?
    /// `workflow_job.labels` in the order GitHub sent them.
    public var labels: [String]
    /// `workflow_job.status`.
    public var status: GitHubStatus
    /// `workflow_job.conclusion` (set when completed).
    public var conclusion: String?
    /// `workflow_job.runner_name` (set from `in_progress` on).
    public var runnerName: String?
    /// The pool the Producer routed the job to; `nil` stores the job as `unroutable`.
    public var pool: String?
    /// Why no pool matched; stored in `last_error` of an unroutable job.
    public var unroutableReason: String?
    /// `workflow_job.created_at`.
    public var createdAt: Date?
    /// `workflow_job.started_at`.
    public var startedAt: Date?
    /// `workflow_job.completed_at`.
    public var completedAt: Date?
    /// The W3C `traceparent` of the webhook request that carried the delivery; the job keeps the
    /// first one it sees, and its dispatch continues that trace.
    public var traceparent: String?

    /// Creates an event; `JobStore.record` validates it.
    public init(
        deliveryID: String, event: String = "workflow_job", action: String, jobID: Int64, runID: Int64,
        runAttempt: Int = 1, repository: String, owner: String, installationID: Int64? = nil,
        labels: [String], status: GitHubStatus, conclusion: String? = nil, runnerName: String? = nil,
        pool: String?, unroutableReason: String? = nil,
        createdAt: Date? = nil, startedAt: Date? = nil, completedAt: Date? = nil, traceparent: String? = nil
    ) {
        self.deliveryID = deliveryID
        self.event = event
        self.action = action
        self.jobID = jobID
        self.runID = runID
        self.runAttempt = runAttempt
        self.repository = repository
        self.owner = owner
        self.installationID = installationID
        self.labels = labels
        self.status = status
        self.conclusion = conclusion
        self.runnerName = runnerName
        self.pool = pool
        self.unroutableReason = unroutableReason
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.traceparent = traceparent
    }
}

/// What `JobStore.record` did with a delivery.
public enum RecordOutcome: Sendable, Equatable {
    /// The delivery was new; the job row after the upsert (already durable).
    case recorded(Job)
    /// The `X-GitHub-Delivery` was recorded before; nothing changed.
    case duplicateDelivery(jobID: Int64)

    /// The job id the delivery was about.
    public var jobID: Int64 {
        switch self {
        case .recorded(let job): job.id
        case .duplicateDelivery(let id): id
        }
    }
}

/// Open string enums for webhook fields: known values are constants, unknown ones decode
/// as-is (GitHub adds values without notice), so a new value never fails a delivery.

/// `X-GitHub-Event`.
public struct WebhookEventName: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible {
    /// The header value.
    public var rawValue: String
    /// Wraps a header value.
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    /// `workflow_job`.
    public static let workflowJob = WebhookEventName(rawValue: "workflow_job")
    /// `ping`, sent when the hook is created.
    public static let ping = WebhookEventName(rawValue: "ping")
}

/// `action` of a `workflow_job` delivery.
public struct WorkflowJobAction: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible {
    /// The value as sent.
    public var rawValue: String
    /// Wraps a value.
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    /// `queued`.
    public static let queued = WorkflowJobAction(rawValue: "queued")
    /// `waiting` (environment protection rules).
    public static let waiting = WorkflowJobAction(rawValue: "waiting")
    /// `in_progress`.
    public static let inProgress = WorkflowJobAction(rawValue: "in_progress")
    /// `completed`.
    public static let completed = WorkflowJobAction(rawValue: "completed")
}

/// `workflow_job.status`. Not always equal to the action (a `queued` action may carry
/// `waiting`).
public struct WorkflowJobStatus: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible {
    /// The value as sent.
    public var rawValue: String
    /// Wraps a value.
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    /// `waiting`.
    public static let waiting = WorkflowJobStatus(rawValue: "waiting")
    /// `queued`.
    public static let queued = WorkflowJobStatus(rawValue: "queued")
    /// `in_progress`.
    public static let inProgress = WorkflowJobStatus(rawValue: "in_progress")
    /// `completed`.
    public static let completed = WorkflowJobStatus(rawValue: "completed")

    /// Position in the forward-only order `waiting < queued < in_progress < completed`; nil for
    /// a value GitHub added later (callers keep the stored status then).
    public var progressRank: Int? {
        switch rawValue {
        case "waiting": return 0
        case "queued", "pending", "requested": return 1
        case "in_progress": return 2
        case "completed": return 3
        default: return nil
        }
    }
}

/// `workflow_job.conclusion` once completed.
public struct WorkflowJobConclusion: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible {
    /// The value as sent.
    public var rawValue: String
    /// Wraps a value.
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    /// `success`.
    public static let success = WorkflowJobConclusion(rawValue: "success")
    /// `failure`.
    public static let failure = WorkflowJobConclusion(rawValue: "failure")
    /// `cancelled`.
    public static let cancelled = WorkflowJobConclusion(rawValue: "cancelled")
    /// `skipped`.
    public static let skipped = WorkflowJobConclusion(rawValue: "skipped")
    /// `timed_out`.
    public static let timedOut = WorkflowJobConclusion(rawValue: "timed_out")
}

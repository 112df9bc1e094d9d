import Foundation

/// A `workflow_job` delivery: the fields Runway uses; everything else is ignored.
public struct WorkflowJobEvent: Decodable, Sendable, Equatable {
    /// `queued`, `waiting`, `in_progress`, `completed`, or a newer value.
    public var action: WorkflowJobAction
    /// The job.
    public var workflowJob: WorkflowJob
    /// The repository (always present).
    public var repository: WebhookRepository
    /// The organisation, when the repository belongs to one.
    public var organization: WebhookAccount?
    /// The App installation (always present on App deliveries).
    public var installation: WebhookInstallation?
    /// The enterprise, when the repository belongs to one.
    public var enterprise: WebhookEnterprise?
    /// Who triggered it.
    public var sender: WebhookAccount?

    enum CodingKeys: String, CodingKey {
        case action, repository, organization, installation, enterprise, sender
        case workflowJob = "workflow_job"
    }

    /// Decodes a raw delivery body (verify the signature first).
    public static func decode<Body: Collection<UInt8>>(_ body: Body) throws -> WorkflowJobEvent {
        try GitHubDate.decoder().decode(WorkflowJobEvent.self, from: Data(body))
    }
}

/// `workflow_job` inside the delivery.
public struct WorkflowJob: Decodable, Sendable, Equatable {
    /// Job id.
    public var id: Int64
    /// Workflow run id.
    public var runID: Int64
    /// Run attempt, from 1.
    public var runAttempt: Int
    /// Job status; see `WorkflowJobStatus.progressRank`.
    public var status: WorkflowJobStatus
    /// Set once completed.
    public var conclusion: WorkflowJobConclusion?
    /// The `runs-on` labels.
    public var labels: [String]
    /// Runner that took the job (unreliable while `queued`).
    public var runnerID: Int64?
    /// Runner name that took the job: what tear-down follows.
    public var runnerName: String?
    /// Runner group id.
    public var runnerGroupID: Int64?
    /// Runner group name.
    public var runnerGroupName: String?
    /// Job name.
    public var name: String?
    /// Workflow name.
    public var workflowName: String?
    /// Branch.
    public var headBranch: String?
    /// Commit.
    public var headSHA: String?
    /// Link to the job.
    public var htmlURL: String?
    /// When the job was created.
    public var createdAt: Date?
    /// When the job started (present even while queued).
    public var startedAt: Date?
    /// When the job completed.
    public var completedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, status, conclusion, labels, name
        case runID = "run_id"
        case runAttempt = "run_attempt"
        case runnerID = "runner_id"
        case runnerName = "runner_name"
        case runnerGroupID = "runner_group_id"
        case runnerGroupName = "runner_group_name"
        case workflowName = "workflow_name"
        case headBranch = "head_branch"
        case headSHA = "head_sha"
        case htmlURL = "html_url"
        case createdAt = "created_at"
        case startedAt = "started_at"
        case completedAt = "completed_at"
    }
}

/// A repository in a delivery.
public struct WebhookRepository: Decodable, Sendable, Equatable {
    /// Repository id.
    public var id: Int64
    /// Short name.
    public var name: String
    /// `owner/name`.
    public var fullName: String
    /// Owner account.
    public var owner: WebhookAccount
    /// Whether it is private.
    public var isPrivate: Bool?

    enum CodingKeys: String, CodingKey {
        case id, name, owner
        case fullName = "full_name"
        case isPrivate = "private"
    }
}

/// A user or organisation in a delivery.
public struct WebhookAccount: Decodable, Sendable, Equatable {
    /// Login name.
    public var login: String
    /// Account id.
    public var id: Int64
    /// `User`, `Organization` or `Bot` (organisations as `organization` carry no type).
    public var type: String?
}

/// `installation` in an App delivery.
public struct WebhookInstallation: Decodable, Sendable, Equatable {
    /// Installation id: what installation tokens are minted for.
    public var id: Int64
}

/// `enterprise` in a delivery.
public struct WebhookEnterprise: Decodable, Sendable, Equatable {
    /// Enterprise id.
    public var id: Int64
    /// URL slug (the `{enterprise}` path segment).
    public var slug: String?
    /// Display name.
    public var name: String?
}

/// A `ping` delivery, sent when the hook is created.
public struct PingEvent: Decodable, Sendable, Equatable {
    /// A GitHub zen phrase.
    public var zen: String?
    /// The hook's id.
    public var hookID: Int64?
    /// The hook.
    public var hook: Hook?
    /// Repository, for repository hooks.
    public var repository: WebhookRepository?
    /// Organisation, for organisation hooks.
    public var organization: WebhookAccount?

    /// The hook that was created.
    public struct Hook: Decodable, Sendable, Equatable {
        /// Hook id.
        public var id: Int64
        /// `Repository`, `Organization` or `App`.
        public var type: String?
        /// The App id, for App hooks.
        public var appID: Int64?
        /// Subscribed events.
        public var events: [String]?
        /// Whether the hook is active.
        public var active: Bool?

        enum CodingKeys: String, CodingKey {
            case id, type, events, active
            case appID = "app_id"
        }
    }

    enum CodingKeys: String, CodingKey {
        case zen, hook, repository, organization
        case hookID = "hook_id"
    }

    /// Decodes a raw delivery body (verify the signature first).
    public static func decode<Body: Collection<UInt8>>(_ body: Body) throws -> PingEvent {
        try GitHubDate.decoder().decode(PingEvent.self, from: Data(body))
    }
}

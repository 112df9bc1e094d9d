import Foundation
import RunwayKit

/// Body of `POST /v1/runners`.
public struct LaunchRequest: Codable, Sendable, Equatable {
    /// The deterministic runner name, `runway-<pool>-<job id>-<attempt>`.
    public var runnerName: String
    /// The pool to launch in (must be one this Orchestrator serves).
    public var pool: String
    /// The GitHub job id the runner is launched for (tagged; the runner may still take another job).
    public var jobID: Int64
    /// The job's `runs-on` labels (informational: the runner carries the pool's labels).
    public var labels: [String]
    /// Owner (organisation or user) of the job's repository.
    public var owner: String
    /// The job's repository, `name` or `owner/name`; required for `repo`-scoped pools.
    public var repository: String?
    /// The GitHub App installation that can register runners for `owner`.
    public var installationID: Int64

    /// Creates a request.
    public init(
        runnerName: String, pool: String, jobID: Int64, labels: [String], owner: String,
        repository: String? = nil, installationID: Int64
    ) {
        self.runnerName = runnerName
        self.pool = pool
        self.jobID = jobID
        self.labels = labels
        self.owner = owner
        self.repository = repository
        self.installationID = installationID
    }

    enum CodingKeys: String, CodingKey {
        case runnerName = "runner_name", pool, jobID = "job_id", labels, owner, repository
        case installationID = "installation_id"
    }
}

/// Answer of `POST /v1/runners`: the same for every repetition of the same request.
public struct LaunchAnswer: Codable, Sendable, Equatable {
    /// The runner name asked for.
    public var runnerName: String
    /// EC2 instance id or `namespace/pod`.
    public var providerID: String
    /// What was used: instance type, subnet, market (`spot`/`on-demand`), image; or namespace and image.
    public var detail: [String: String]

    /// Creates an answer.
    public init(runnerName: String, providerID: String, detail: [String: String] = [:]) {
        self.runnerName = runnerName
        self.providerID = providerID
        self.detail = detail
    }

    enum CodingKeys: String, CodingKey {
        case runnerName = "runner_name", providerID = "provider_id", detail
    }
}

/// One runner as the provider sees it (`GET /v1/runners`).
public struct RunnerInfo: Codable, Sendable, Equatable {
    /// The runner name (from the `runway:runner` tag or the pod name).
    public var runnerName: String
    /// EC2 instance id or `namespace/pod`.
    public var providerID: String
    /// The pool the runner belongs to.
    public var pool: String
    /// Normalised state: `pending`, `running`, `stopping`, `terminated`.
    public var state: String
    /// When the instance or pod was created.
    public var launchedAt: Date?

    /// Creates a runner description.
    public init(runnerName: String, providerID: String, pool: String, state: String, launchedAt: Date?) {
        self.runnerName = runnerName
        self.providerID = providerID
        self.pool = pool
        self.state = state
        self.launchedAt = launchedAt
    }

    enum CodingKeys: String, CodingKey {
        case runnerName = "runner_name", providerID = "provider_id", pool, state, launchedAt = "launched_at"
    }
}

/// Where a runner registers with GitHub: the pool's scope applied to the job's owner/repository.
public struct RunnerTarget: Sendable, Equatable {
    /// Organisation, repository or enterprise scope.
    public var scope: RunnerScope
    /// Organisation or user that owns the repository.
    public var owner: String
    /// Repository name without the owner (needed for `repo` scope).
    public var repository: String?
    /// Enterprise slug (for `enterprise` scope).
    public var enterprise: String?
    /// The App installation used to call GitHub.
    public var installationID: Int64

    /// Creates a target; `repository` may be given as `owner/name`.
    public init(scope: RunnerScope, owner: String, repository: String?, enterprise: String?, installationID: Int64) {
        self.scope = scope
        self.owner = owner
        if let repository, let slash = repository.lastIndex(of: "/") {
            self.repository = String(repository[repository.index(after: slash)...])
        } else {
            self.repository = repository
        }
        self.enterprise = enterprise
        self.installationID = installationID
    }
}

/// Everything a provider needs to start one runner.
public struct LaunchSpec: Sendable {
    /// The runner name (instance tag, pod name, GitHub registration name).
    public var runnerName: String
    /// The pool's settings.
    public var pool: Pool
    /// The job the runner is launched for.
    public var jobID: Int64
    /// Where the runner registers (recorded on the instance or pod for tear-down).
    public var target: RunnerTarget
    /// The single-use JIT config; secret.
    public var jitConfig: JITConfig
}

/// What a provider launched or found.
public struct LaunchedRunner: Sendable, Equatable {
    /// EC2 instance id or `namespace/pod`.
    public var providerID: String
    /// What was used (instance type, subnet, market, …).
    public var detail: [String: String]
}

/// A runner found at the provider by name, with the registration target recorded at launch.
public struct FoundRunner: Sendable, Equatable {
    /// The runner as listed.
    public var info: RunnerInfo
    /// Where it registered, when the provider recorded it.
    public var target: RunnerTarget?
    /// False when the launch was interrupted half-way (an EKS pod without its Secret) and must be completed.
    public var complete: Bool
    /// What was used, as far as the provider reports it.
    public var detail: [String: String]
}

import Foundation
import RunwayKit

/// A job the Publisher holds a dispatch lease on, as returned by a claim.
public struct DispatchJob: Sendable, Equatable {
    /// The `workflow_job` id.
    public var id: Int64
    /// The workflow run id (for logs and the admin API).
    public var runID: Int64
    /// The pool the job was routed to.
    public var pool: String
    /// The job's `runs-on` labels.
    public var labels: [String]
    /// The repository owner (organisation or user login).
    public var owner: String
    /// `owner/name` of the repository, when known.
    public var repository: String?
    /// The GitHub App installation id from the webhook, when known.
    public var installationID: Int64?
    /// Failed launch attempts so far (the store's `attempts`); drives the backoff.
    public var attempt: Int
    /// The `<attempt>` part of the runner name: 0 until a runner was confirmed launched, then one
    /// more than the launched runner's after each relaunch. Retrying a launch whose outcome is
    /// unknown (timeout, 5xx, expired lease) therefore asks for the same name again, and the
    /// Orchestrator, idempotent by name, adopts a runner the earlier call may have started
    /// instead of starting a second one; only a relaunch (runner lost or taken) gets a new name.
    public var runnerAttempt: Int
    /// The claim's fencing token (unique per claim; the store checks it with the lease owner).
    public var leaseToken: Int64
    /// When the Producer first recorded the job.
    public var receivedAt: Date
    /// The `traceparent` of the webhook that brought the job; the launch continues its trace.
    public var traceparent: String?

    /// Creates a claimed job.
    public init(
        id: Int64, runID: Int64 = 0, pool: String, labels: [String], owner: String,
        repository: String? = nil, installationID: Int64?, attempt: Int, runnerAttempt: Int = 0, leaseToken: Int64 = 0,
        receivedAt: Date, traceparent: String? = nil
    ) {
        self.id = id
        self.runID = runID
        self.pool = pool
        self.labels = labels
        self.owner = owner
        self.repository = repository
        self.installationID = installationID
        self.attempt = attempt
        self.runnerAttempt = runnerAttempt
        self.leaseToken = leaseToken
        self.receivedAt = receivedAt
        self.traceparent = traceparent
    }

    /// The deterministic runner name for this launch, `runway-<pool>-<job id>-<attempt>`.
    public var runnerName: String {
        RunnerNaming.name(pool: pool, jobID: id, attempt: runnerAttempt)
    }
}

/// Runner names are `runway-<pool>-<job id>-<attempt>`; only such names are ever torn down.
public enum RunnerNaming {
    /// The prefix every Runway runner name carries.
    public static let prefix = "runway-"

    /// The runner name for a pool, job and attempt.
    public static func name(pool: String, jobID: Int64, attempt: Int) -> String {
        RunwayKit.runnerName(pool: pool, jobID: jobID, attempt: attempt)
    }

    /// The pool a runner name belongs to, chosen among `pools` (the longest matching name wins,
    /// since pool names may contain dashes); nil for names that are not ours.
    public static func pool(of runnerName: String, among pools: some Sequence<String>) -> String? {
        guard runnerName.hasPrefix(prefix) else { return nil }
        let rest = runnerName.dropFirst(prefix.count)
        var best: String?
        for pool in pools where rest.hasPrefix(pool + "-") {
            let tail = rest.dropFirst(pool.count + 1).split(separator: "-", omittingEmptySubsequences: false)
            guard tail.count == 2, tail.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else { continue }
            if pool.count > (best?.count ?? -1) { best = pool }
        }
        return best
    }
}

/// The flow-control and lifetime settings of one pool, as the Publisher uses them.
public struct PoolLimits: Sendable, Equatable {
    /// The pool name.
    public var name: String
    /// Base URL of the pool's Orchestrator, e.g. `http://orchestrator:8080`.
    public var orchestratorURL: String
    /// Runners launched and not yet finished, at most.
    public var maxRunners: Int
    /// Launches per second (token bucket rate; default 2).
    public var launchRate: Double
    /// Token bucket size (default 5).
    public var launchBurst: Int
    /// A runner idle this long with no demand is surplus (default 10 min).
    public var idleTimeout: Duration
    /// Any runner older than this is torn down (default 6 h).
    public var maxLifetime: Duration
    /// Failed launch attempts before a job is `failed` (default 5); deferrals ("come back later") do not count.
    public var maxAttempts: Int
    /// A job still queued this long after its runner launched is relaunched (default 15 min).
    public var launchTimeout: Duration
    /// The GitHub App whose JIT pacing bucket this pool draws from (default `default`).
    public var githubApp: String

    /// Creates pool limits; defaults follow the pools file's.
    public init(
        name: String, orchestratorURL: String, maxRunners: Int, launchRate: Double = 2, launchBurst: Int = 5,
        idleTimeout: Duration = .seconds(600), maxLifetime: Duration = .seconds(6 * 3600), maxAttempts: Int = 5,
        launchTimeout: Duration = .seconds(900), githubApp: String = "default"
    ) {
        self.name = name
        self.orchestratorURL = orchestratorURL
        self.maxRunners = maxRunners
        self.launchRate = launchRate
        self.launchBurst = launchBurst
        self.idleTimeout = idleTimeout
        self.maxLifetime = maxLifetime
        self.maxAttempts = maxAttempts
        self.launchTimeout = launchTimeout
        self.githubApp = githubApp
    }

    /// The limits of a configured pool. All pools share the deployment's one GitHub App
    /// (`GITHUB_APP_ID`), hence one JIT pacing bucket.
    public init(pool: Pool) {
        self.init(
            name: pool.name, orchestratorURL: pool.orchestratorURL, maxRunners: pool.maxRunners,
            launchRate: pool.launchRate, launchBurst: pool.launchBurst, idleTimeout: pool.idleTimeout,
            maxLifetime: pool.maxLifetime, maxAttempts: pool.maxAttempts, launchTimeout: pool.launchTimeout)
    }
}

/// What the Publisher asks an Orchestrator to launch (`POST /v1/runners`).
public struct LaunchRequest: Sendable, Equatable, Codable {
    public var runnerName: String
    public var pool: String
    public var jobID: Int64
    public var labels: [String]
    public var owner: String
    public var repository: String?
    public var installationID: Int64?

    /// Creates the launch request for a claimed job.
    public init(job: DispatchJob) {
        runnerName = job.runnerName
        pool = job.pool
        jobID = job.id
        labels = job.labels
        owner = job.owner
        repository = job.repository
        installationID = job.installationID
    }

    enum CodingKeys: String, CodingKey {
        case runnerName = "runner_name", pool, jobID = "job_id", labels, owner, repository
        case installationID = "installation_id"
    }
}

/// The result of one launch attempt.
public enum LaunchOutcome: Sendable, Equatable {
    /// The Orchestrator answered 201: the runner exists (or already existed).
    case launched(providerID: String)
    /// Worth retrying later (5xx, timeout, unreachable); `after` is the server's hint, if any.
    /// Counts as a failed attempt: `max_attempts` of these fail the job.
    case retry(after: Duration?, reason: String)
    /// The Orchestrator asked to come back later (429, or 503 with `Retry-After`: no capacity,
    /// throttled by AWS, GitHub or Kubernetes). Nothing is wrong with the job, so no attempt is
    /// spent: it waits, FIFO, until capacity returns or GitHub cancels it (24 h).
    case deferred(after: Duration, reason: String)
    /// Retrying cannot help (4xx such as 422); the job fails with `reason`.
    case failed(reason: String)
}

/// The result of one tear-down attempt.
public enum TeardownOutcome: Sendable, Equatable {
    /// The Orchestrator confirmed (202, also when the runner was already gone).
    case confirmed
    /// Not confirmed; try again later.
    case retry(reason: String)
}

/// A runner as its Orchestrator sees it at the provider (`GET /v1/runners`).
public struct ProviderRunner: Sendable, Equatable, Codable {
    public var runnerName: String
    public var providerID: String
    public var state: String
    public var launchedAt: Date?

    /// Creates a provider runner.
    public init(runnerName: String, providerID: String, state: String, launchedAt: Date?) {
        self.runnerName = runnerName
        self.providerID = providerID
        self.state = state
        self.launchedAt = launchedAt
    }

    enum CodingKeys: String, CodingKey {
        case runnerName = "runner_name", providerID = "provider_id", state, launchedAt = "launched_at"
    }
}

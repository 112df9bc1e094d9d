/// Where a pool's runners run.
public enum PoolHost: String, Sendable, Codable, CaseIterable {
    case ec2, eks
}

/// The runner's operating system.
public enum PoolOS: String, Sendable, Codable, CaseIterable {
    case ubuntu, windows

    /// The OS label GitHub runners carry (`linux` / `windows`), added to every pool's labels.
    public var runnerLabel: String { self == .ubuntu ? "linux" : "windows" }
}

/// GitHub scope runners of a pool register at.
public enum RunnerScope: String, Sendable, Codable, CaseIterable {
    /// The job's organisation (or user account for user-owned repositories: falls back to `repo`).
    case org
    /// The job's repository.
    case repo
    /// An enterprise (needs `enterprise` slug).
    case enterprise
}

/// One pool of interchangeable runners: a host + OS combination with its labels and limits.
public struct Pool: Sendable, Codable, Equatable {
    /// Unique name, lowercase letters, digits and `-`, at most 40 characters.
    public var name: String
    public var host: PoolHost
    public var os: PoolOS
    /// Labels as configured (the runner also gets `self-hosted` and the OS label; see `runnerLabels`).
    public var labels: [String]
    /// Base URL of the Orchestrator serving this pool.
    public var orchestratorURL: String
    /// Runners launched and not yet finished, at most (default 10).
    public var maxRunners: Int
    /// Launches per second, token-bucket rate (default 2).
    public var launchRate: Double
    /// Token-bucket burst (default: max(1, rate rounded up)).
    public var launchBurst: Int
    /// A runner idle this long with no pending demand is torn down (default 10 min).
    public var idleTimeout: Duration
    /// A runner older than this is torn down; also the pod's `activeDeadlineSeconds` (default 6 h).
    public var maxLifetime: Duration
    /// Failed launch attempts per job before it fails (default 5); deferrals ("come back later") do not count.
    public var maxAttempts: Int
    /// A job still queued this long after its runner launched is relaunched (default 15 min).
    public var launchTimeout: Duration
    /// GitHub runner group id (default 1, the default group).
    public var runnerGroupID: Int
    /// Where runners register (default `org`).
    public var scope: RunnerScope
    /// Enterprise slug when `scope` is `enterprise`.
    public var enterprise: String?
    public var ec2: EC2PoolSettings?
    public var eks: EKSPoolSettings?

    /// Every label the registered runner carries: the configured ones plus `self-hosted` and the
    /// OS label, de-duplicated case-insensitively, in a stable order.
    public var runnerLabels: [String] {
        var seen = Set<String>()
        var result: [String] = []
        for label in ["self-hosted", os.runnerLabel] + labels where seen.insert(label.lowercased()).inserted {
            result.append(label)
        }
        return result
    }
}

/// EC2 launch settings of a pool.
public struct EC2PoolSettings: Sendable, Codable, Equatable {
    public var imageID: String
    /// Tried in order when EC2 reports `InsufficientInstanceCapacity`.
    public var instanceTypes: [String]
    /// Tried in order (after the instance types) on capacity errors.
    public var subnetIDs: [String]
    public var securityGroupIDs: [String]
    /// Instance profile name or ARN for the runner instance.
    public var instanceProfile: String?
    /// Try spot first, then on-demand.
    public var spot: Bool
    /// Root volume size in GiB (nil: the AMI's).
    public var rootVolumeGiB: Int?
    /// Where the actions runner is installed in the image (default `/home/runner`, `C:\actions-runner`).
    public var runnerPath: String
    /// When set, the runner of this version is downloaded at boot instead of expected in the image.
    public var runnerVersion: String?
    /// Extra tags on instances and volumes.
    public var tags: [String: String]
    /// IMDSv2 hop limit (default 1: containers on the runner cannot reach IMDS).
    public var metadataHopLimit: Int
}

/// EKS launch settings of a pool.
public struct EKSPoolSettings: Sendable, Codable, Equatable {
    public var cluster: String
    /// Namespace of runner pods (default `runway-runners`).
    public var namespace: String
    /// Runner image (default `ghcr.io/actions/actions-runner:latest`).
    public var image: String
    public var requests: [String: String]
    public var limits: [String: String]
    public var nodeSelector: [String: String]
    public var tolerations: [[String: String]]
    public var serviceAccount: String?

    /// The official runner image.
    public static let defaultImage = "ghcr.io/actions/actions-runner:latest"
}

/// The deterministic runner name: `runway-<pool>-<job id>-<attempt>`.
public func runnerName(pool: String, jobID: Int64, attempt: Int) -> String {
    "runway-\(pool)-\(jobID)-\(attempt)"
}

import Foundation

/// Where runners are registered: an organisation, a repository or (GitHub Enterprise Cloud /
/// Server) an enterprise.
public enum RunnerScope: Sendable, Hashable, CustomStringConvertible {
    /// `/orgs/{org}`.
    case organization(String)
    /// `/repos/{owner}/{repo}`.
    case repository(owner: String, name: String)
    /// `/enterprises/{enterprise}`.
    case enterprise(String)

    /// The path prefix with each name percent-encoded, or nil when a name is empty or contains
    /// a path separator.
    var pathPrefix: String? {
        func segment(_ s: String) -> String? {
            guard !s.isEmpty, !s.contains("/"), s != ".", s != ".." else { return nil }
            return PathEncoding.encode(s)
        }
        switch self {
        case .organization(let org): return segment(org).map { "/orgs/\($0)" }
        case .repository(let owner, let name):
            guard let o = segment(owner), let n = segment(name) else { return nil }
            return "/repos/\(o)/\(n)"
        case .enterprise(let slug): return segment(slug).map { "/enterprises/\($0)" }
        }
    }

    /// The path prefix template used in error messages and logs.
    var template: String {
        switch self {
        case .organization: return "/orgs/{org}"
        case .repository: return "/repos/{owner}/{repo}"
        case .enterprise: return "/enterprises/{enterprise}"
        }
    }

    public var description: String {
        switch self {
        case .organization(let org): return "org \(org)"
        case .repository(let owner, let name): return "repo \(owner)/\(name)"
        case .enterprise(let slug): return "enterprise \(slug)"
        }
    }
}

/// A self-hosted runner registration (`GET .../actions/runners/{id}`).
public struct Runner: Codable, Sendable, Equatable {
    /// Runner id; what DELETE needs.
    public var id: Int64
    /// Runner name, unique within its scope.
    public var name: String
    /// `linux`, `windows`, `macos`, or `unknown` before the runner first connects.
    public var os: String?
    /// `online` or `offline`.
    public var status: RunnerStatus
    /// Whether the runner is running a job.
    public var busy: Bool
    /// Whether the runner takes one job only (JIT runners are ephemeral).
    public var ephemeral: Bool?
    /// Labels, read-only (default) and custom.
    public var labels: [RunnerLabel]

    /// Creates a runner value.
    public init(id: Int64, name: String, os: String? = nil, status: RunnerStatus, busy: Bool,
                ephemeral: Bool? = nil, labels: [RunnerLabel] = []) {
        self.id = id
        self.name = name
        self.os = os
        self.status = status
        self.busy = busy
        self.ephemeral = ephemeral
        self.labels = labels
    }
}

/// A runner's connection status; an open set (GitHub may add values).
public struct RunnerStatus: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible {
    /// The value as GitHub sent it.
    public var rawValue: String
    /// Creates a status from GitHub's string.
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
    public var description: String { rawValue }
    /// Connected to GitHub.
    public static let online = RunnerStatus(rawValue: "online")
    /// Not connected.
    public static let offline = RunnerStatus(rawValue: "offline")
}

/// One runner label.
public struct RunnerLabel: Codable, Sendable, Equatable {
    /// Label id (absent in some GHES versions).
    public var id: Int64?
    /// Label name.
    public var name: String
    /// `read-only` (added by GitHub) or `custom`.
    public var type: String?

    /// Creates a label.
    public init(id: Int64? = nil, name: String, type: String? = nil) {
        self.id = id
        self.name = name
        self.type = type
    }
}

/// One page of `GET .../actions/runners`.
public struct RunnerPage: Sendable, Equatable {
    /// `total_count` across all pages.
    public var totalCount: Int
    /// Runners on this page.
    public var runners: [Runner]
    /// Whether a `Link: rel="next"` page exists.
    public var hasNextPage: Bool
}

/// What `generate-jitconfig` needs.
public struct JITConfigRequest: Sendable, Equatable, Encodable {
    /// Runner name; unique within the scope (Runway: `runway-<pool>-<job id>-<attempt>`).
    public var name: String
    /// Runner group id (the default group is normally 1).
    public var runnerGroupID: Int64
    /// Labels the runner gets (1…100); include every label the job's `runs-on` needs.
    public var labels: [String]
    /// Work folder relative to the runner directory (default `_work`).
    public var workFolder: String

    /// Creates a request.
    public init(name: String, runnerGroupID: Int64 = 1, labels: [String], workFolder: String = "_work") {
        self.name = name
        self.runnerGroupID = runnerGroupID
        self.labels = labels
        self.workFolder = workFolder
    }

    enum CodingKeys: String, CodingKey {
        case name, labels
        case runnerGroupID = "runner_group_id"
        case workFolder = "work_folder"
    }

    /// Problems GitHub would answer 422 for, checked before spending a request.
    var problems: [String] {
        var out: [String] = []
        if name.isEmpty { out.append("runner name is empty") }
        if labels.isEmpty || labels.count > 100 { out.append("between 1 and 100 labels are required") }
        if labels.contains(where: \.isEmpty) { out.append("labels must not be empty") }
        if runnerGroupID < 1 { out.append("runner_group_id must be positive") }
        return out
    }
}

/// A just-in-time runner registration: the runner and its single-use configuration.
///
/// `encodedJITConfig` contains the runner's private key; `description`, `debugDescription`
/// and mirrors never show it.
public struct JITRunnerConfig: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The registered runner (its `id` is what DELETE needs).
    public var runner: Runner
    /// The value for `ACTIONS_RUNNER_INPUT_JITCONFIG` / `run.sh --jitconfig`; a secret.
    public var encodedJITConfig: String

    /// Creates a value.
    public init(runner: Runner, encodedJITConfig: String) {
        self.runner = runner
        self.encodedJITConfig = encodedJITConfig
    }

    public var description: String {
        "JITRunnerConfig(runner_id: \(runner.id), name: \(runner.name), encoded_jit_config: <redacted>)"
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["runner": runner]) }
}

/// Whether a deletion removed a registration or found it already gone.
public enum RunnerDeletion: Sendable, Equatable {
    /// 204: removed now.
    case deleted
    /// 404 or no runner with that name: nothing to remove.
    case alreadyGone
}

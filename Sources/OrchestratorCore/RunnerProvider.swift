import RunwayKit

/// Where runners run: EC2 instances or EKS pods. The provider is the Orchestrator's only source of
/// truth (it holds no database): instance tags and pod labels carry the runner name and pool.
public protocol RunnerProvider: Sendable {
    /// The runner named `runnerName` in `pool`, in any state the provider still reports, or nil.
    func find(runnerName: String, pool: Pool) async throws(OrchestratorError) -> FoundRunner?
    /// Launches the runner; idempotent for the same runner name.
    func launch(_ spec: LaunchSpec) async throws(OrchestratorError) -> LaunchedRunner
    /// Removes every instance or pod of `runnerName`; true when something was still there.
    func terminate(runnerName: String, pool: Pool) async throws(OrchestratorError) -> Bool
    /// Runners of `pool` that still exist (not yet terminated).
    func list(pool: Pool) async throws(OrchestratorError) -> [RunnerInfo]
}

/// Tag and label names shared by both providers.
public enum RunnerTags {
    /// The runner name (EC2 tag key; IAM conditions key on it).
    public static let runner = "runway:runner"
    /// The pool name.
    public static let pool = "runway:pool"
    /// The job id the runner was launched for.
    public static let job = "runway:job"
    /// Registration scope (`org`, `repo`, `enterprise`).
    public static let scope = "runway:scope"
    /// Owner of the job's repository (the registration's organisation).
    public static let owner = "runway:owner"
    /// Repository name (repo-scoped registrations).
    public static let repository = "runway:repository"
    /// GitHub App installation id.
    public static let installation = "runway:installation"

    /// The runway tags of a launch, in key order.
    static func values(for spec: LaunchSpec) -> [(String, String)] {
        var tags: [(String, String)] = [
            (installation, String(spec.target.installationID)),
            (job, String(spec.jobID)),
            (owner, spec.target.owner),
            (pool, spec.pool.name),
            (runner, spec.runnerName),
            (scope, spec.target.scope.rawValue),
        ]
        if let repo = spec.target.repository { tags.append((repository, repo)) }
        return tags.sorted { $0.0 < $1.0 }
    }

    /// The registration target recorded in `tags` (keys as above), or nil when incomplete.
    static func target(from tags: [String: String], pool: Pool) -> RunnerTarget? {
        guard let owner = tags[owner], let installation = tags[installation].flatMap({ Int64($0) }) else { return nil }
        let scope = tags[scope].flatMap(RunnerScope.init(rawValue:)) ?? pool.scope
        return RunnerTarget(
            scope: scope, owner: owner, repository: tags[repository], enterprise: pool.enterprise, installationID: installation)
    }
}

import Foundation
import AWS
import GitHub
import RunwayKit

/// Everything the Orchestrator executable needs, read once from the environment; every problem is
/// reported at once.
public struct OrchestratorConfig: Sendable {
    /// `HTTP_HOST`, `HTTP_PORT` (default 8080), logging, `RUNWAY_INTERNAL_TOKEN` (required), `RUNWAY_POOLS` (required).
    public var common: CommonConfig
    /// The pools served: `RUNWAY_ORCHESTRATOR_POOLS` (comma-separated names), default every pool in the file.
    public var pools: [Pool]
    /// `AWS_REGION` (or `AWS_DEFAULT_REGION`, required), `AWS_ENDPOINT_URL[_<SERVICE>]` (emulators).
    public var aws: AWSConfiguration
    /// `GITHUB_APP_ID`/`GITHUB_APP_CLIENT_ID`, `GITHUB_APP_PRIVATE_KEY(_FILE)`, `GITHUB_API_URL`.
    public var github: GitHubAppCredentials
    /// `RUNWAY_PROVIDER_RETRY_ATTEMPTS` (default 4) and `RUNWAY_PROVIDER_RETRY_BUDGET` (default 5s):
    /// how long throttled or failing AWS/Kubernetes calls are retried before answering 503.
    public var retryAttempts: Int
    /// See `retryAttempts`.
    public var retryBudget: Duration
    /// The GitHub client's settings. `RUNWAY_ORCHESTRATOR_JIT_RATE` (default 2.7/s, under GitHub's
    /// ~10,000 registrations per hour per App) and `RUNWAY_ORCHESTRATOR_JIT_BURST` (default 20) pace
    /// JIT registrations in this process; raise them only with a matching GitHub budget (or a
    /// stand-in), and keep the Publisher's `PUBLISHER_JIT_RATE` in step.
    public var githubClient = GitHubApp.Configuration()
    /// The raw environment (the AWS and Kubernetes clients read their own variables).
    public var environment: [String: String]

    /// Reads and validates; throws every problem found.
    public static func load(environment: [String: String], poolsText: String? = nil) throws(ConfigError) -> OrchestratorConfig {
        var reader = ConfigReader(environment)
        let common = CommonConfig.read(&reader)
        var problems: [String] = []
        var pools: [Pool] = []
        do {
            let file: PoolsConfig
            if let poolsText {
                file = try PoolsConfig.parse(poolsText)
            } else if let path = common.poolsPath {
                file = try PoolsConfig.load(path: path)
            } else {
                file = PoolsConfig(pools: [])
            }
            pools = try selectPools(file, names: reader.string("RUNWAY_ORCHESTRATOR_POOLS"))
        } catch {
            problems += error.problems
        }
        let attempts = reader.int("RUNWAY_PROVIDER_RETRY_ATTEMPTS", default: 4, range: 1...20) ?? 4
        let budget = reader.duration("RUNWAY_PROVIDER_RETRY_BUDGET", default: .seconds(5)) ?? .seconds(5)
        var githubClient = GitHubApp.Configuration()
        githubClient.jitRatePerSecond = reader.double(
            "RUNWAY_ORCHESTRATOR_JIT_RATE", default: githubClient.jitRatePerSecond, range: 0.01...100_000) ?? githubClient.jitRatePerSecond
        githubClient.jitBurst = reader.int(
            "RUNWAY_ORCHESTRATOR_JIT_BURST", default: githubClient.jitBurst, range: 1...100_000) ?? githubClient.jitBurst
        var aws: AWSConfiguration?
        do {
            aws = try AWSConfiguration(environment: environment)
        } catch {
            problems.append(error.message)
        }
        var github: GitHubAppCredentials?
        do {
            github = try GitHubAppCredentials.load(environment: environment)
        } catch {
            problems += error.problems
        }
        problems = reader.problems + problems
        guard problems.isEmpty, let github, let aws else { throw ConfigError(problems: problems) }
        var config = OrchestratorConfig(
            common: common, pools: pools, aws: aws, github: github, retryAttempts: attempts, retryBudget: budget, environment: environment)
        config.githubClient = githubClient
        return config
    }

    /// The pools named in `names` (comma-separated), or all of them when nil.
    static func selectPools(_ file: PoolsConfig, names: String?) throws(ConfigError) -> [Pool] {
        guard let names else { return file.pools }
        var problems: [String] = []
        var selected: [Pool] = []
        for name in names.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            if let pool = file.pool(named: name) {
                if !selected.contains(where: { $0.name == name }) { selected.append(pool) }
            } else {
                problems.append("RUNWAY_ORCHESTRATOR_POOLS: no pool named '\(name)' in the pools file")
            }
        }
        if selected.isEmpty && problems.isEmpty { problems.append("RUNWAY_ORCHESTRATOR_POOLS names no pool") }
        if !problems.isEmpty { throw ConfigError(problems: problems) }
        return selected
    }
}

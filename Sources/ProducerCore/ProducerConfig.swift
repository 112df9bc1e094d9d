import GitHub
import RunwayKit

/// The Producer's configuration, read once at start.
public struct ProducerConfig: Sendable {
    public var common: CommonConfig
    /// `DATABASE_URL` (or `_FILE`): libpq URI or key/value string.
    public var databaseURL: String
    /// `DATABASE_POOL_SIZE`, default 16 (group commit batches concurrent deliveries).
    public var databasePoolSize: Int
    /// `GITHUB_WEBHOOK_SECRET` (or `_FILE`): one secret, or several comma-separated during rotation.
    public var webhookSecrets: [String]
    /// `PUBLISHER_URL`: where to send wake-ups (optional; the Publisher's timer covers its absence).
    public var publisherURL: String?
    /// `RUNWAY_WEBHOOK_MAX_BYTES`, default 1 MiB (workflow_job payloads are ~10 KiB).
    public var webhookMaxBytes: Int
    /// `RUNWAY_NOTIFY_TIMEOUT`, default 1 s.
    public var notifyTimeout: Duration
    /// `RUNWAY_MIGRATE=1` applies migrations at start.
    public var migrate: Bool
    /// The pools file (routing).
    public var pools: PoolsConfig
    /// GitHub App credentials (`GITHUB_APP_ID`/`GITHUB_APP_CLIENT_ID` + key): enables the redelivery sweep.
    public var githubApp: GitHubAppCredentials?
    /// `RUNWAY_REDELIVERY_INTERVAL`, default 5 min; `RUNWAY_REDELIVERY=off` disables the sweep.
    public var redeliveryInterval: Duration?
    /// The effective settings, secrets redacted, for the start-up log line.
    public var effective: [String: String] = [:]

    /// Reads and validates everything, listing every problem in the error.
    public static func load(environment: [String: String]) throws(ConfigError) -> ProducerConfig {
        var r = ConfigReader(environment)
        let common = CommonConfig.read(&r, requireInternalToken: false)
        let databaseURL = r.secret("DATABASE_URL", required: true) ?? ""
        let poolSize = r.int("DATABASE_POOL_SIZE", default: 16, range: 1...200) ?? 16
        let secrets = (r.secret("GITHUB_WEBHOOK_SECRET", required: true) ?? "")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if r.problems.allSatisfy({ !$0.hasPrefix("GITHUB_WEBHOOK_SECRET") }), secrets.isEmpty {
            r.problem("GITHUB_WEBHOOK_SECRET has no secret")
        }
        let publisherURL = r.url("PUBLISHER_URL")
        if publisherURL != nil && common.internalToken == nil {
            r.problem("RUNWAY_INTERNAL_TOKEN is required to notify PUBLISHER_URL")
        }
        let maxBytes = r.int("RUNWAY_WEBHOOK_MAX_BYTES", default: 1 << 20, range: 1024...(25 << 20)) ?? (1 << 20)
        let notifyTimeout = r.duration("RUNWAY_NOTIFY_TIMEOUT", default: .seconds(1)) ?? .seconds(1)
        let migrate = r.bool("RUNWAY_MIGRATE", default: false)
        var pools = PoolsConfig(pools: [])
        if let path = common.poolsPath {
            do {
                pools = try PoolsConfig.load(path: path)
            } catch {
                for problem in error.problems { r.problem(problem) }
            }
        }
        var app: GitHubAppCredentials?
        // Empty counts as unset, as everywhere else: compose passes `GITHUB_APP_ID: ${GITHUB_APP_ID:-}`.
        let hasApp = ["GITHUB_APP_ID", "GITHUB_APP_CLIENT_ID"].contains { !(environment[$0] ?? "").isEmpty }
        if hasApp {
            do {
                app = try GitHubAppCredentials.load(environment: environment)
            } catch {
                for problem in error.problems { r.problem(problem) }
            }
        }
        let sweepOn = r.bool("RUNWAY_REDELIVERY", default: true)
        let interval = r.duration("RUNWAY_REDELIVERY_INTERVAL", default: .seconds(300)) ?? .seconds(300)
        if interval < .milliseconds(100) { r.problem("RUNWAY_REDELIVERY_INTERVAL must be at least 100ms (each sweep calls the GitHub API)") }
        if notifyTimeout <= .zero { r.problem("RUNWAY_NOTIFY_TIMEOUT must be positive") }
        try r.finish()
        return ProducerConfig(
            common: common, databaseURL: databaseURL, databasePoolSize: poolSize, webhookSecrets: secrets,
            publisherURL: publisherURL, webhookMaxBytes: maxBytes, notifyTimeout: notifyTimeout, migrate: migrate,
            pools: pools, githubApp: app, redeliveryInterval: (app != nil && sweepOn) ? interval : nil,
            effective: r.effective)
    }
}

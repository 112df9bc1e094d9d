import RunwayKit

/// The Publisher's configuration, read once at start from the environment.
public struct PublisherConfig: Sendable {
    /// Settings every service reads (`HTTP_*`, `LOG_*`, `RUNWAY_INTERNAL_TOKEN` (required), `RUNWAY_POOLS` (required)).
    public var common: CommonConfig
    /// `DATABASE_URL` (or `_FILE`): libpq URI or key/value string. Required.
    public var databaseURL: String
    /// `DATABASE_POOL_SIZE`, default 8.
    public var databasePoolSize: Int
    /// `RUNWAY_MIGRATE=1` applies migrations at start (else the schema version is only checked).
    public var migrate: Bool
    /// The pools file.
    public var pools: PoolsConfig
    /// Dispatch tunables: `PUBLISHER_POLL_INTERVAL` (2s), `PUBLISHER_LEASE` (60s),
    /// `PUBLISHER_CLAIM_BATCH` (20), `PUBLISHER_GRANTS_PER_POOL` (4), `PUBLISHER_GLOBAL_MAX_RUNNERS` (pools file's
    /// `global_max_runners`, else none), `PUBLISHER_JIT_RATE` (10/s) and `PUBLISHER_JIT_BURST` (20),
    /// `PUBLISHER_BACKOFF_BASE` (2s), `PUBLISHER_BACKOFF_MAX` (5m).
    public var dispatch: Dispatcher.Settings
    /// Reconciliation tunables: `PUBLISHER_RECONCILE_INTERVAL` (15s), `PUBLISHER_TEARDOWN_INTERVAL`
    /// (2s), `PUBLISHER_ORPHAN_GRACE` (5m), `PUBLISHER_LOST_GRACE` (5m).
    public var reconcile: Reconciler.Settings
    /// `PUBLISHER_ORCHESTRATOR_TIMEOUT`, default 30 s; must be shorter than the lease.
    public var orchestratorTimeout: Duration
    /// The effective settings, secrets redacted, for the start-up log line.
    public var effective: [String: String] = [:]

    /// Reads and validates everything, listing every problem in the error.
    public static func load(environment: [String: String]) throws(ConfigError) -> PublisherConfig {
        var r = ConfigReader(environment)
        let common = CommonConfig.read(&r, defaultPort: 8080, requireInternalToken: true, requirePools: true)
        let databaseURL = r.secret("DATABASE_URL", required: true) ?? ""
        let poolSize = r.int("DATABASE_POOL_SIZE", default: 8, range: 2...200) ?? 8
        let migrate = r.bool("RUNWAY_MIGRATE", default: false)
        var pools = PoolsConfig(pools: [])
        if let path = common.poolsPath {
            do {
                pools = try PoolsConfig.load(path: path)
            } catch {
                for problem in error.problems { r.problem(problem) }
            }
        }
        let poll = r.duration("PUBLISHER_POLL_INTERVAL", default: .seconds(2)) ?? .seconds(2)
        let lease = r.duration("PUBLISHER_LEASE", default: .seconds(60)) ?? .seconds(60)
        let batch = r.int("PUBLISHER_CLAIM_BATCH", default: 20, range: 1...1000) ?? 20
        let grants = r.int("PUBLISHER_GRANTS_PER_POOL", default: 4, range: 1...64) ?? 4
        let globalCap = r.int("PUBLISHER_GLOBAL_MAX_RUNNERS", default: pools.globalMaxRunners, range: 1...1_000_000)
        let jitRate = r.double("PUBLISHER_JIT_RATE", default: 2.7, range: 0.01...100_000) ?? 2.7
        let jitBurst = r.int("PUBLISHER_JIT_BURST", default: 20, range: 1...100_000) ?? 20
        let backoffBase = r.duration("PUBLISHER_BACKOFF_BASE", default: .seconds(2)) ?? .seconds(2)
        let backoffMax = r.duration("PUBLISHER_BACKOFF_MAX", default: .seconds(300)) ?? .seconds(300)
        let timeout = r.duration("PUBLISHER_ORCHESTRATOR_TIMEOUT", default: .seconds(30)) ?? .seconds(30)
        let interval = r.duration("PUBLISHER_RECONCILE_INTERVAL", default: .seconds(15)) ?? .seconds(15)
        let teardown = r.duration("PUBLISHER_TEARDOWN_INTERVAL", default: .seconds(2)) ?? .seconds(2)
        let orphanGrace = r.duration("PUBLISHER_ORPHAN_GRACE", default: .seconds(300)) ?? .seconds(300)
        let lostGrace = r.duration("PUBLISHER_LOST_GRACE", default: .seconds(300)) ?? .seconds(300)
        for (name, value) in [("PUBLISHER_POLL_INTERVAL", poll), ("PUBLISHER_LEASE", lease), ("PUBLISHER_ORCHESTRATOR_TIMEOUT", timeout),
                              ("PUBLISHER_RECONCILE_INTERVAL", interval), ("PUBLISHER_TEARDOWN_INTERVAL", teardown),
                              ("PUBLISHER_BACKOFF_BASE", backoffBase)] where value <= .zero {
            r.problem("\(name) must be positive")
        }
        if timeout + .seconds(5) > lease {
            r.problem("PUBLISHER_LEASE must exceed PUBLISHER_ORCHESTRATOR_TIMEOUT by at least 5s, so a lease never expires during a launch call")
        }
        if backoffMax < backoffBase { r.problem("PUBLISHER_BACKOFF_MAX must not be below PUBLISHER_BACKOFF_BASE") }
        try r.finish()
        return PublisherConfig(
            common: common, databaseURL: databaseURL, databasePoolSize: poolSize, migrate: migrate, pools: pools,
            dispatch: Dispatcher.Settings(
                lease: lease, pollInterval: poll, backoff: Backoff(base: backoffBase, cap: backoffMax),
                scheduler: .init(batchSize: batch, grantsPerPool: grants, globalMaxRunners: globalCap, jitRate: jitRate, jitBurst: jitBurst)),
            reconcile: Reconciler.Settings(
                interval: interval, teardownInterval: teardown, planner: .init(orphanGrace: orphanGrace, lostGrace: lostGrace)),
            orchestratorTimeout: timeout, effective: r.effective)
    }
}

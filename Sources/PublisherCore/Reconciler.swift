import Foundation
import JobStore
import Logging

/// One leader among Publisher replicas, e.g. a Postgres advisory lock held on a dedicated session.
public protocol LeaderLock: Sendable {
    /// Whether this replica leads now (acquiring the lock when free; cheap when already held).
    func tryAcquire() async -> Bool
}

/// Carries out reconciliation on the leader: rescues expired leases, re-routes jobs whose pool no
/// longer exists, applies `ReconcilePlanner`'s rules per pool, and tears down runners whose job
/// completed until the Orchestrator confirms.
public actor Reconciler {
    /// Reconciler settings.
    public struct Settings: Sendable {
        /// Time between reconciliation passes (default 15 s).
        public var interval: Duration
        /// Time between tear-down passes when not woken (default 2 s).
        public var teardownInterval: Duration
        /// Grace periods for the rules.
        public var planner: ReconcilePlanner.Settings

        /// Creates settings; see each field for its default.
        public init(interval: Duration = .seconds(15), teardownInterval: Duration = .seconds(2), planner: ReconcilePlanner.Settings = .init()) {
            self.interval = interval
            self.teardownInterval = teardownInterval
            self.planner = planner
        }
    }

    private let pools: [PoolLimits]
    private let store: any DispatchStore
    private let orchestrator: any OrchestratorAPI
    private let leader: any LeaderLock
    private let route: @Sendable ([String]) -> RouteResult
    private let onRequeue: @Sendable () async -> Void
    private let settings: Settings
    private let metrics: PublisherMetrics
    private let logger: Logger
    private let now: @Sendable () -> Date
    private var planner: ReconcilePlanner
    private let teardownSignal = WakeSignal()

    /// Where a stray job should go now.
    public enum RouteResult: Sendable, Equatable {
        case pool(String)
        case unroutable(reason: String)
    }

    /// Creates a reconciler; `route` maps a job's labels to a configured pool; `onRequeue` wakes
    /// the dispatcher after jobs went back to pending.
    public init(
        pools: [PoolLimits], store: any DispatchStore, orchestrator: any OrchestratorAPI, leader: any LeaderLock,
        route: @escaping @Sendable ([String]) -> RouteResult, onRequeue: @escaping @Sendable () async -> Void = {},
        settings: Settings = Settings(), metrics: PublisherMetrics = PublisherMetrics(), logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.pools = pools
        self.store = store
        self.orchestrator = orchestrator
        self.leader = leader
        self.route = route
        self.onRequeue = onRequeue
        self.settings = settings
        self.metrics = metrics
        self.logger = logger
        self.now = now
        self.planner = ReconcilePlanner(settings: settings.planner)
    }

    /// A job completed: tear-downs run soon rather than at the next timer tick.
    public func notify() async {
        await teardownSignal.signal()
    }

    /// Reconciles every `interval` and tears down finished runners on wake-ups, while leader,
    /// until cancelled.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask {
                while !Task.isCancelled {
                    if await self.leader.tryAcquire() { await self.reconcile() }
                    try? await Task.sleep(for: self.settings.interval)
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    if await self.leader.tryAcquire() { await self.tearDownFinished() }
                    await self.teardownSignal.wait(timeout: self.settings.teardownInterval)
                }
            }
        }
    }

    /// One reconciliation pass over every pool.
    public func reconcile() async {
        var requeued = 0
        if let rescued = await attempt("rescue_leases", { try await self.store.rescueExpiredLeases() }), rescued > 0 {
            metrics.reconcilerAction(kind: "lease_rescued", pool: "*", count: rescued)
            logger.info("expired dispatch leases rescued", metadata: ["count": "\(rescued)"])
            requeued += rescued
        }
        requeued += await rerouteStrayJobs()
        for pool in pools {
            requeued += await reconcile(pool)
        }
        if requeued > 0 { await onRequeue() }
    }

    private func rerouteStrayJobs() async -> Int {
        let names = pools.map(\.name)
        guard let stray = await attempt("stray_jobs", { try await self.store.strayJobs(knownPools: names, limit: 500) }) else { return 0 }
        var moved = 0
        for job in stray {
            let log = logger.with(["job.id": "\(job.id)", "pool.name": "\(job.pool)"])
            switch route(job.labels) {
            case .pool(let pool):
                if await attempt("reroute", { try await self.store.reroute(jobID: job.id, pool: pool, reason: "") }) != nil {
                    metrics.reconcilerAction(kind: "rerouted", pool: pool)
                    log.info("job re-routed: its pool is no longer configured", metadata: ["pool.new": "\(pool)"])
                    moved += 1
                }
            case .unroutable(let reason):
                if await attempt("reroute", { try await self.store.reroute(jobID: job.id, pool: nil, reason: reason) }) != nil {
                    metrics.unroutable()
                    log.warning("job unroutable: its pool is no longer configured", metadata: ["reason": "\(reason)"])
                }
            }
        }
        return moved
    }

    private func reconcile(_ pool: PoolLimits) async -> Int {
        guard let snapshot = await attempt("snapshot", { try await self.store.snapshot(pool: pool.name) }) else { return 0 }
        let provider: [ProviderRunner]?
        do {
            provider = try await orchestrator.listRunners(pool: pool.name, orchestratorURL: pool.orchestratorURL)
        } catch {
            provider = nil
            logger.warning("cannot list runners; orphan checks wait", metadata: ["pool.name": "\(pool.name)", "error": "\(error)"])
        }
        let actions = planner.plan(pool: pool, snapshot: snapshot, provider: provider, now: now())
        var requeued = 0
        for action in actions {
            switch action {
            case .requeue(let jobID, let reason):
                let log = logger.with(["job.id": "\(jobID)", "pool.name": "\(pool.name)"])
                let message = reason == .runnerTookOtherJob ? "its runner ran another job" : "its runner was lost"
                guard let result = await attempt("requeue", { try await self.store.requeue(jobID: jobID, reason: message, maxAttempts: pool.maxAttempts) })
                else { continue }
                metrics.reconcilerAction(kind: reason.rawValue, pool: pool.name)
                switch result {
                case .pending: requeued += 1; log.info("job pending again: \(message)")
                case .failed: log.error("job failed: \(message) and attempts are exhausted")
                case .notHeld: break
                }
            case .tearDown(let name, let reason):
                if reason == .orphan, await mayStillBeAdopted(name) {
                    logger.info("orphan spared: the job it was named for may still adopt it", metadata: ["runner.name": "\(name)"])
                    continue
                }
                if await tearDown(name, pool: pool) {
                    metrics.reconcilerAction(kind: reason.rawValue, pool: pool.name)
                    logger.info("runner torn down", metadata: ["runner.name": "\(name)", "pool.name": "\(pool.name)", "reason": "\(reason.rawValue)"])
                }
            }
        }
        return requeued
    }

    /// An orphan is a runner the database did not know when the snapshot was read: possibly a launch
    /// whose record failed (Postgres restarting) or landed after the snapshot. While the job it was
    /// named for is pending or dispatching, that job's next launch asks for this very name and adopts
    /// the runner (tearing it down first would make that launch start a second one); a job launched
    /// with it since the snapshot knows it now. When the store cannot say, the orphan waits a pass.
    private func mayStillBeAdopted(_ name: String) async -> Bool {
        guard let jobID = RunnerName(parsing: name)?.jobID else { return false }
        guard let lookup = await attempt("orphan_job", { try await self.store.job(id: jobID) }) else { return true }
        guard let job = lookup else { return false }
        switch job.dispatchState {
        case DispatchState.pending.rawValue, DispatchState.dispatching.rawValue:
            // The next launch asks for one more than the last recorded runner's attempt (0 when none):
            // only a runner of exactly that name can be adopted; an older attempt's is a true orphan.
            let next = job.runnerName.flatMap(RunnerName.init(parsing:)).map { $0.attempt + 1 } ?? 0
            return RunnerName(parsing: name)?.attempt == next
        case DispatchState.launched.rawValue: return job.runnerName == name
        default: return false
        }
    }

    /// Tears down runners whose job completed; unconfirmed ones are retried on the next pass.
    public func tearDownFinished() async {
        guard let runners = await attempt("runners_to_tear_down", { try await self.store.runnersToTearDown(limit: 200) }) else { return }
        await withTaskGroup(of: Void.self) { group in
            for runner in runners {
                guard let pool = pools.first(where: { $0.name == runner.pool }) else { continue }
                group.addTask { _ = await self.tearDown(runner.name, pool: pool) }
            }
        }
    }

    private nonisolated func tearDown(_ name: String, pool: PoolLimits) async -> Bool {
        guard name.hasPrefix(RunnerNaming.prefix) else { return false }
        switch await orchestrator.tearDown(runnerName: name, orchestratorURL: pool.orchestratorURL) {
        case .confirmed:
            metrics.teardown(pool: pool.name, result: "confirmed")
            return await StoreRetry.run { [store] in try await store.markRunnerGone(name: name) } != nil
        case .retry(let reason):
            metrics.teardown(pool: pool.name, result: "retry")
            logger.warning("tear-down not confirmed; retrying", metadata: ["runner.name": "\(name)", "reason": "\(reason)"])
            return false
        }
    }

    private func attempt<T: Sendable>(_ operation: String, _ body: @Sendable () async throws -> T) async -> T? {
        do {
            return try await body()
        } catch {
            metrics.storeError(operation: operation)
            logger.warning("store call failed", metadata: ["operation": "\(operation)", "error": "\(error)"])
            return nil
        }
    }
}

extension Logger {
    /// A copy with extra metadata.
    func with(_ metadata: Logger.Metadata) -> Logger {
        var copy = self
        for (key, value) in metadata { copy[metadataKey: key] = value }
        return copy
    }
}

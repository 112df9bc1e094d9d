import Foundation
import HTTP
import Logging

/// Runs the dispatch loop: on every wake-up (notify, timer) it asks the `DispatchScheduler` for
/// grants, and for each grant claims jobs (one short transaction), calls the pool's Orchestrator
/// outside any transaction, and records the outcome. Pools run concurrently; the loop keeps
/// planning until every pool has found nothing claimable or hit a limit.
public actor Dispatcher {
    /// Dispatch settings.
    public struct Settings: Sendable {
        /// Who holds the leases (unique per replica; default host name + pid + random).
        public var leaseOwner: String
        /// How long a claim is leased before the rescuer may hand it out again (default 60 s).
        public var lease: Duration
        /// Timer wake-up and active-count refresh period (default 2 s).
        public var pollInterval: Duration
        /// Backoff of retried launches.
        public var backoff: Backoff
        /// Flow-control settings.
        public var scheduler: DispatchScheduler.Settings

        /// Creates settings; see each field for its default.
        public init(
            leaseOwner: String = Settings.defaultLeaseOwner(), lease: Duration = .seconds(60), pollInterval: Duration = .seconds(2),
            backoff: Backoff = Backoff(), scheduler: DispatchScheduler.Settings = .init()
        ) {
            self.leaseOwner = leaseOwner
            self.lease = lease
            self.pollInterval = pollInterval
            self.backoff = backoff
            self.scheduler = scheduler
        }

        /// `publisher-<host>-<pid>-<random>`.
        public static func defaultLeaseOwner() -> String {
            let host = ProcessInfo.processInfo.hostName.prefix(40)
            return "publisher-\(host)-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        }
    }

    private var scheduler: DispatchScheduler
    private let pools: [String: PoolLimits]
    private let store: any DispatchStore
    private let orchestrator: any OrchestratorAPI
    private let metrics: PublisherMetrics
    private let logger: Logger
    private let settings: Settings
    private let now: @Sendable () -> Date
    private let random: @Sendable () -> Double
    private let wakeSignal = WakeSignal()
    private var lastRefresh = Date.distantPast

    /// Creates a dispatcher; `now` and `random` are injectable for tests.
    public init(
        pools: [PoolLimits], store: any DispatchStore, orchestrator: any OrchestratorAPI, settings: Settings = Settings(),
        metrics: PublisherMetrics = PublisherMetrics(), logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }, random: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }
    ) {
        self.scheduler = DispatchScheduler(pools: pools, settings: settings.scheduler, now: now())
        self.pools = Dictionary(pools.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.store = store
        self.orchestrator = orchestrator
        self.settings = settings
        self.metrics = metrics
        self.logger = logger
        self.now = now
        self.random = random
    }

    /// A wake-up from `POST /v1/notify`: every pool tries to claim again; bursts coalesce.
    public func notify() async {
        scheduler.wake()
        await wakeSignal.signal()
    }

    /// Dispatches until the task is cancelled; launches in flight finish before it returns.
    public func run() async {
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                if now().timeIntervalSince(lastRefresh) >= settings.pollInterval.seconds {
                    await refresh()
                }
                let plan = scheduler.plan(now: now())
                for grant in plan.grants {
                    group.addTask { await self.execute(grant) }
                }
                var deadline = lastRefresh.addingTimeInterval(settings.pollInterval.seconds)
                if let wake = plan.nextWake { deadline = min(deadline, wake) }
                let seconds = min(max(deadline.timeIntervalSince(now()), 0.001), settings.pollInterval.seconds)
                await wakeSignal.wait(timeout: .milliseconds(Int64(seconds * 1000)))
            }
        }
    }

    /// Reads every pool's active and pending counts, then wakes every pool (the timer tick).
    private func refresh() async {
        lastRefresh = now()
        for name in scheduler.poolNames {
            do {
                let active = try await store.activeRunnerCount(pool: name)
                let pending = try await store.pendingCount(pool: name)
                if !scheduler.isBusy(pool: name) { scheduler.setActive(pool: name, count: active) }
                metrics.queueDepth(pool: name, state: "active", active)
                metrics.queueDepth(pool: name, state: "pending", pending)
            } catch {
                metrics.storeError(operation: "count")
                logger.warning("cannot read pool counts", metadata: ["pool.name": "\(name)", "error": "\(error)"])
            }
        }
        scheduler.wake()
    }

    private func execute(_ grant: DispatchScheduler.Grant) async {
        var report = DispatchScheduler.Report(asked: 0, claimed: 0, launched: 0)
        if let limits = pools[grant.pool] {
            report = await claimAndLaunch(grant, limits)
        }
        scheduler.finished(pool: grant.pool, granted: grant.count, report: report, now: now())
        await wakeSignal.signal()
    }

    private nonisolated func claimAndLaunch(_ grant: DispatchScheduler.Grant, _ limits: PoolLimits) async -> DispatchScheduler.Report {
        var report = DispatchScheduler.Report(asked: 0, claimed: 0, launched: 0)
        let jobs: [DispatchJob]
        var active: Int?
        do {
            if grant.nearCap { active = try await store.activeRunnerCount(pool: limits.name) }
            report.asked = max(0, min(grant.count, limits.maxRunners - (active ?? 0)))
            jobs = report.asked > 0
                ? try await store.claim(pool: limits.name, limit: report.asked, leaseOwner: settings.leaseOwner, lease: settings.lease)
                : []
        } catch {
            metrics.storeError(operation: "claim")
            logger.warning("claim failed", metadata: ["pool.name": "\(limits.name)", "error": "\(error)"])
            report.storeFailed = true
            return report
        }
        report.claimed = jobs.count
        let claimedAt = now()
        for job in jobs {
            metrics.queuedToClaimed(pool: limits.name, seconds: claimedAt.timeIntervalSince(job.receivedAt))
        }
        report.launched = await withTaskGroup(of: Bool.self) { group in
            for job in jobs {
                group.addTask { await self.launch(job, limits, claimedAt: claimedAt) }
            }
            var launched = 0
            for await ok in group where ok { launched += 1 }
            return launched
        }
        report.activeNow = active.map { $0 + report.launched }
        return report
    }

    /// Launches one claimed job within the trace of the webhook that brought it (a new span of
    /// that trace, or a new trace for jobs recorded without one) and records the outcome; true
    /// when the runner exists.
    private nonisolated func launch(_ job: DispatchJob, _ limits: PoolLimits, claimedAt: Date) async -> Bool {
        let trace = job.traceparent.flatMap(TraceContext.init(traceparent:))?.child() ?? .newRoot()
        return await TraceContext.$current.withValue(trace) {
            var log = logger
            log[metadataKey: "job.id"] = "\(job.id)"
            log[metadataKey: "pool.name"] = "\(job.pool)"
            log[metadataKey: "runner.name"] = "\(job.runnerName)"
            log[metadataKey: "trace.id"] = "\(trace.traceID)"
            log[metadataKey: "span.id"] = "\(trace.spanID)"
            return await launch(job, limits, claimedAt: claimedAt, log: log)
        }
    }

    private nonisolated func launch(_ job: DispatchJob, _ limits: PoolLimits, claimedAt: Date, log: Logger) async -> Bool {
        let callStarted = now()
        let outcome = await orchestrator.launch(LaunchRequest(job: job), orchestratorURL: limits.orchestratorURL)
        let answeredAt = now()
        switch outcome {
        case .launched(let providerID):
            metrics.launch(pool: job.pool, result: "launched", reason: "")
            let recorded = await StoreRetry.run { [store, settings] in
                try await store.markLaunched(job, leaseOwner: settings.leaseOwner, runnerName: job.runnerName, providerID: providerID)
            }
            switch recorded {
            case .some(true):
                let recordedAt = now()
                metrics.claimedToLaunched(pool: job.pool, seconds: recordedAt.timeIntervalSince(claimedAt))
                log.info("runner launched", metadata: [
                    "queued_ms": "\(Self.milliseconds(job.receivedAt, claimedAt))",
                    "orchestrator_ms": "\(Self.milliseconds(callStarted, answeredAt))",
                    "record_ms": "\(Self.milliseconds(answeredAt, recordedAt))",
                ])
            case .some(false):
                metrics.launch(pool: job.pool, result: "lease_lost", reason: "lease lost")
                log.warning("lease lost before the launch was recorded; the next holder asks for the same runner name, which launches nothing new")
            case .none:
                metrics.storeError(operation: "mark_launched")
                log.error("launch not recorded; the lease expires and the same runner name is asked for again, which launches nothing new")
            }
            return true
        case .retry(let hint, let reason):
            metrics.launch(pool: job.pool, result: "retry", reason: reason)
            let delay = settings.backoff.delay(afterAttempt: job.attempt + 1, hint: hint, random: random())
            await release(job, limits, delay: delay, reason: reason, permanent: false, log: log)
            return false
        case .deferred(let after, let reason):
            metrics.launch(pool: job.pool, result: "deferred", reason: reason)
            let delay = settings.backoff.delay(afterAttempt: 1, hint: after, random: random())
            await release(job, limits, delay: delay, reason: reason, permanent: false, countsAttempt: false, log: log)
            return false
        case .failed(let reason):
            metrics.launch(pool: job.pool, result: "failed", reason: reason)
            await release(job, limits, delay: .zero, reason: reason, permanent: true, log: log)
            return false
        }
    }

    /// Whole milliseconds from `start` to `end`, for log fields.
    private static func milliseconds(_ start: Date, _ end: Date) -> Int {
        Int((end.timeIntervalSince(start) * 1000).rounded())
    }

    private nonisolated func release(
        _ job: DispatchJob, _ limits: PoolLimits, delay: Duration, reason: String, permanent: Bool, countsAttempt: Bool = true,
        log: Logger
    ) async {
        let result = await StoreRetry.run { [store, settings] in
            try await store.release(
                job, leaseOwner: settings.leaseOwner, retryAfter: delay, error: reason, permanent: permanent,
                countsAttempt: countsAttempt, maxAttempts: limits.maxAttempts)
        }
        switch result {
        case .pending where !countsAttempt:
            log.info("launch deferred by the Orchestrator; job pending again", metadata: ["reason": "\(reason)", "retry.after_s": "\(delay.seconds)"])
        case .pending:
            log.warning("launch failed; job pending again", metadata: ["reason": "\(reason)", "retry.after_s": "\(delay.seconds)", "attempt": "\(job.attempt)"])
        case .failed:
            log.error("launch failed; job failed", metadata: ["reason": "\(reason)", "attempt": "\(job.attempt)"])
        case .notHeld:
            log.warning("launch failed and the lease was already lost; the current holder decides", metadata: ["reason": "\(reason)"])
        case nil:
            metrics.storeError(operation: "release")
            log.error("launch failed and the job could not be released; its lease expires and it is claimed again", metadata: ["reason": "\(reason)"])
        }
    }
}

/// A few quick retries of a store call that must not be dropped (Postgres restarting mid-pass);
/// nil when every try failed, in which case the lease's expiry is the safety net.
enum StoreRetry {
    static func run<T: Sendable>(_ body: @Sendable () async throws -> T) async -> T? {
        for pause in [50, 250, 1000] {
            if let value = try? await body() { return value }
            try? await Task.sleep(for: .milliseconds(pause))
        }
        return try? await body()
    }
}

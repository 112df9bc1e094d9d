import Foundation

/// Flow control for dispatch as a pure state machine: which pool may claim how many jobs now.
///
/// Limits, all checked per grant: the pool's `max_runners` (active runners + launches in flight),
/// its launch-rate token bucket, a global cap across pools, and a JIT pacing bucket per GitHub
/// App. Pools are visited in a rotating order and a scarce shared allowance is split between the
/// pools that want it, so no pool starves another. A pool with `grantsPerPool` grants in flight is
/// `busy` and is skipped, so a slow or failing pool only holds up itself.
public struct DispatchScheduler: Sendable {
    /// Scheduler settings that are not per pool.
    public struct Settings: Sendable, Equatable {
        /// Most jobs claimed in one grant (default 20).
        public var batchSize: Int
        /// Grants one pool may have in flight at once (default 4): claims and launches of a busy
        /// pool overlap instead of waiting for the slowest launch of the previous batch.
        public var grantsPerPool: Int
        /// Runners across all pools, at most (nil: no global cap).
        public var globalMaxRunners: Int?
        /// JIT configurations per second per GitHub App (default 2.7, the Orchestrator's own pacing,
        /// so a burst waits in the queue here instead of timing out at the Orchestrator).
        public var jitRate: Double
        /// JIT bucket size (default 20).
        public var jitBurst: Int
        /// Pause after a grant whose launches all failed, doubled per consecutive failure (default 1 s).
        public var failurePause: Duration
        /// Longest such pause (default 30 s).
        public var maxFailurePause: Duration

        /// Creates settings; see each field for its default.
        public init(
            batchSize: Int = 20, grantsPerPool: Int = 4, globalMaxRunners: Int? = nil, jitRate: Double = 2.7, jitBurst: Int = 20,
            failurePause: Duration = .seconds(1), maxFailurePause: Duration = .seconds(30)
        ) {
            self.batchSize = batchSize
            self.grantsPerPool = max(1, grantsPerPool)
            self.globalMaxRunners = globalMaxRunners
            self.jitRate = jitRate
            self.jitBurst = jitBurst
            self.failurePause = failurePause
            self.maxFailurePause = maxFailurePause
        }
    }

    /// Permission for `pool` to claim up to `count` jobs.
    public struct Grant: Sendable, Equatable {
        public var pool: String
        public var count: Int
        /// The grant reaches within one batch of `max_runners`: the dispatcher re-reads the
        /// active count before claiming (far from the cap that extra round trip is skipped).
        public var nearCap: Bool = false
    }

    /// The grants to start now and when to plan again at the latest (nil: on the next wake-up).
    public struct Plan: Sendable, Equatable {
        public var grants: [Grant]
        public var nextWake: Date?
    }

    /// How a grant went, reported back by the dispatcher.
    public struct Report: Sendable, Equatable {
        /// Jobs asked of the store (may be below the grant when capacity shrank meanwhile).
        public var asked: Int
        /// Jobs the store handed out.
        public var claimed: Int
        /// Launches confirmed.
        public var launched: Int
        /// Active runners of the pool as just read from the store, if read.
        public var activeNow: Int?
        /// The store failed; the pool pauses like a failed launch.
        public var storeFailed: Bool

        /// Creates a report.
        public init(asked: Int, claimed: Int, launched: Int, activeNow: Int? = nil, storeFailed: Bool = false) {
            self.asked = asked
            self.claimed = claimed
            self.launched = launched
            self.activeNow = activeNow
            self.storeFailed = storeFailed
        }
    }

    struct PoolState: Sendable {
        var limits: PoolLimits
        var bucket: TokenBucket
        var active = 0
        var inFlight = 0
        var grants = 0
        var drained = false
        var failures = 0
        var pausedUntil: Date?
    }

    public let settings: Settings
    private var pools: [String: PoolState] = [:]
    private let order: [String]
    private var cursor = 0
    private var jitBuckets: [String: TokenBucket] = [:]

    /// A scheduler for `pools` (in file order) at `now`; every pool starts not drained.
    public init(pools: [PoolLimits], settings: Settings = Settings(), now: Date) {
        self.settings = settings
        self.order = pools.map(\.name)
        for limits in pools {
            self.pools[limits.name] = PoolState(
                limits: limits, bucket: TokenBucket(rate: limits.launchRate, burst: limits.launchBurst, now: now))
            if jitBuckets[limits.githubApp] == nil {
                jitBuckets[limits.githubApp] = TokenBucket(rate: settings.jitRate, burst: settings.jitBurst, now: now)
            }
        }
    }

    /// The pools in rotation order.
    public var poolNames: [String] { order }

    /// Active runners per pool as last known.
    public func active(pool: String) -> Int { pools[pool]?.active ?? 0 }

    /// Whether a pool has a grant in flight.
    public func isBusy(pool: String) -> Bool { (pools[pool]?.grants ?? 0) > 0 }

    /// Whether a pool found nothing claimable since its last wake-up.
    public func isDrained(pool: String) -> Bool { pools[pool]?.drained ?? false }

    /// A wake-up (notify, timer): pools try to claim again. `pool` nil wakes every pool.
    public mutating func wake(pool: String? = nil) {
        for name in order where pool == nil || pool == name { pools[name]?.drained = false }
    }

    /// Active runners of a pool as read from the store.
    public mutating func setActive(pool: String, count: Int) {
        pools[pool]?.active = max(0, count)
    }

    /// Grants for every pool that may claim now, visiting pools from the rotation cursor.
    public mutating func plan(now: Date) -> Plan {
        var grants: [Grant] = []
        var nextWake: Date?
        func wakeAt(_ date: Date) { nextWake = min(nextWake ?? date, date) }

        // Pools that want jobs and have their own room; shared allowances are split among them.
        var eligible: [String] = []
        for offset in 0..<order.count {
            let name = order[(cursor + offset) % order.count]
            guard var state = pools[name], state.grants < settings.grantsPerPool, !state.drained else { continue }
            if let until = state.pausedUntil, until > now {
                wakeAt(until)
                continue
            }
            state.pausedUntil = nil
            let room = state.limits.maxRunners - state.active - state.inFlight
            guard room > 0 else { pools[name] = state; continue }
            if state.bucket.available(now: now) < 1 {
                wakeAt(state.bucket.nextToken(now: now))
                pools[name] = state
                continue
            }
            pools[name] = state
            eligible.append(name)
        }
        guard !eligible.isEmpty else { return Plan(grants: [], nextWake: nextWake) }

        var globalFree = settings.globalMaxRunners.map { cap in
            cap - pools.values.reduce(0) { $0 + $1.active + $1.inFlight }
        } ?? Int.max
        var contenders: [String: Int] = [:]
        for name in eligible { contenders[pools[name]!.limits.githubApp, default: 0] += 1 }
        let globalShare = globalFree == Int.max ? Int.max : max(1, globalFree / eligible.count)
        var lastGranted: Int?

        for name in eligible {
            guard var state = pools[name] else { continue }
            let app = state.limits.githubApp
            guard var jit = jitBuckets[app] else { continue }
            let jitAvailable = jit.available(now: now)
            let jitShare = max(1, jitAvailable / max(1, contenders[app] ?? 1))
            contenders[app, default: 1] -= 1
            let room = state.limits.maxRunners - state.active - state.inFlight
            let count = [settings.batchSize, room, state.bucket.available(now: now), jitAvailable, jitShare, globalFree, globalShare].min() ?? 0
            if count <= 0 {
                if jitAvailable < 1 { wakeAt(jit.nextToken(now: now)) }
                continue
            }
            _ = state.bucket.take(upTo: count, now: now)
            _ = jit.take(upTo: count, now: now)
            jitBuckets[app] = jit
            state.grants += 1
            state.inFlight += count
            pools[name] = state
            if globalFree != Int.max { globalFree -= count }
            grants.append(Grant(pool: name, count: count, nearCap: room - count < settings.batchSize))
            lastGranted = order.firstIndex(of: name)
        }
        if let lastGranted { cursor = (lastGranted + 1) % order.count }
        return Plan(grants: grants, nextWake: nextWake)
    }

    /// Records how a grant went: unused tokens go back, a short claim marks the pool drained,
    /// a grant whose launches all failed pauses the pool with backoff.
    public mutating func finished(pool: String, granted: Int, report: Report, now: Date) {
        guard var state = pools[pool] else { return }
        state.grants = max(0, state.grants - 1)
        state.inFlight = max(0, state.inFlight - granted)
        let unused = max(0, granted - report.claimed)
        state.bucket.refund(unused)
        if var jit = jitBuckets[state.limits.githubApp] {
            jit.refund(unused)
            jitBuckets[state.limits.githubApp] = jit
        }
        if let activeNow = report.activeNow {
            state.active = activeNow
        } else {
            state.active += report.launched
        }
        if report.claimed < report.asked {
            state.drained = true
        }
        if report.storeFailed || (report.claimed > 0 && report.launched == 0) {
            state.failures += 1
            let factor = pow(2, Double(min(state.failures - 1, 16)))
            let pause = min(settings.failurePause.seconds * factor, settings.maxFailurePause.seconds)
            state.pausedUntil = now.addingTimeInterval(pause)
            if report.storeFailed { state.drained = false }
        } else if report.launched > 0 {
            state.failures = 0
        }
        pools[pool] = state
    }
}

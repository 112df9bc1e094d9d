import Foundation
import RunwayKit

/// The reconciliation rules for one pool as a pure function of the database's view, the
/// provider's view and the time. It returns actions; `Reconciler` carries them out.
///
/// Rules (timing defaults in parentheses):
/// - **max lifetime**: a runner older than the pool's `max_lifetime` (6 h) is torn down;
/// - **lost runner**: an unused runner the provider no longer lists (after `lostGrace`, 5 min), or
///   whose job is still queued `launch_timeout` (15 min) after launch, is torn down and its job
///   relaunched (attempts + 1, `failed` past `max_attempts`);
/// - **runner took another job**: a launched job still queued whose runner ran another job is
///   covered by a spare idle runner when there is one (GitHub hands it any idle runner), else it
///   is pending again;
/// - **surplus idle**: spare runners idle past `idle_timeout` (10 min) are torn down, oldest first,
///   except as many as the pool has pending jobs;
/// - **orphans**: runners the provider lists for the pool that the database does not know (or knows
///   as gone) are torn down once older than `orphanGrace` (5 min).
public struct ReconcilePlanner: Sendable {
    /// Why a job goes back to pending.
    public enum RequeueReason: String, Sendable, Equatable {
        case runnerTookOtherJob = "requeued_other_job"
        case runnerLost = "relaunched_lost"
    }

    /// Why a runner is torn down.
    public enum TeardownReason: String, Sendable, Equatable {
        case idle = "teardown_idle"
        case maxLifetime = "teardown_max_lifetime"
        case orphan = "teardown_orphan"
        case lost = "teardown_lost"
    }

    /// One thing to do.
    public enum Action: Sendable, Equatable {
        case requeue(jobID: Int64, reason: RequeueReason)
        case tearDown(runnerName: String, reason: TeardownReason)
    }

    /// Grace periods that are not per pool.
    public struct Settings: Sendable, Equatable {
        /// An unknown runner at the provider is an orphan only after this long (default 5 min).
        public var orphanGrace: Duration
        /// A runner missing at the provider counts as lost only after this long since launch (default 5 min).
        public var lostGrace: Duration

        /// Creates settings.
        public init(orphanGrace: Duration = .seconds(300), lostGrace: Duration = .seconds(300)) {
            self.orphanGrace = orphanGrace
            self.lostGrace = lostGrace
        }
    }

    public let settings: Settings
    /// When each orphan candidate without a provider launch time was first seen.
    private var firstSeen: [String: Date] = [:]

    /// Creates a planner.
    public init(settings: Settings = Settings()) {
        self.settings = settings
    }

    /// The actions for `pool`. `provider` is nil when the Orchestrator could not list its
    /// runners; the rules that need it (orphans, vanished runners) then wait for the next pass.
    public mutating func plan(pool: PoolLimits, snapshot: PoolSnapshot, provider: [ProviderRunner]?, now: Date) -> [Action] {
        var actions: [Action] = []
        var condemned = Set<String>()
        func age(_ date: Date) -> Double { now.timeIntervalSince(date) }
        let runners = snapshot.runners.sorted { ($0.launchedAt, $0.name) < ($1.launchedAt, $1.name) }
        let byName = Dictionary(runners.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let waitingIDs = Set(snapshot.waitingJobs.map(\.id))
        let atProvider = provider.map { Set($0.map(\.runnerName)) }

        for runner in runners where age(runner.launchedAt) >= pool.maxLifetime.seconds {
            actions.append(.tearDown(runnerName: runner.name, reason: .maxLifetime))
            condemned.insert(runner.name)
        }

        let unused = runners.filter { $0.ranJob == nil && !condemned.contains($0.name) }
        for runner in unused {
            let vanished = atProvider.map { !$0.contains(runner.name) } ?? false
                && age(runner.launchedAt) >= settings.lostGrace.seconds
            let neverPickedUp = waitingIDs.contains(runner.launchedFor) && age(runner.launchedAt) >= pool.launchTimeout.seconds
            if vanished || neverPickedUp {
                actions.append(.tearDown(runnerName: runner.name, reason: .lost))
                condemned.insert(runner.name)
            }
        }
        let idle = unused.filter { !condemned.contains($0.name) }

        // Each waiting job needs one idle runner; its own, or a spare one GitHub can hand it.
        var uncovered: [(id: Int64, reason: RequeueReason)] = []
        for job in snapshot.waitingJobs {
            if let own = byName[job.runnerName], own.ranJob == nil, !condemned.contains(own.name) { continue }
            if byName[job.runnerName] == nil && !snapshot.complete { continue }
            let tookOther = byName[job.runnerName].map { $0.ranJob != nil && $0.ranJob != job.id } ?? false
            uncovered.append((job.id, tookOther ? .runnerTookOtherJob : .runnerLost))
        }
        var spare = idle.filter { !waitingIDs.contains($0.launchedFor) }
        let matched = min(uncovered.count, spare.count)
        // The youngest spares serve the uncovered jobs; the oldest remain candidates for reaping.
        spare.removeLast(matched)
        for job in uncovered.dropFirst(matched) {
            actions.append(.requeue(jobID: job.id, reason: job.reason))
        }

        let reapable = spare.filter { age($0.launchedAt) >= pool.idleTimeout.seconds }
        for runner in reapable.dropLast(min(snapshot.pendingCount, reapable.count)) {
            actions.append(.tearDown(runnerName: runner.name, reason: .idle))
        }

        if let provider, snapshot.complete {
            let known = Set(runners.map(\.name))
            var stillOrphan = Set<String>()
            for runner in provider where !known.contains(runner.runnerName)
                && RunnerNaming.pool(of: runner.runnerName, among: [pool.name]) == pool.name {
                stillOrphan.insert(runner.runnerName)
                let seen = runner.launchedAt ?? firstSeen[runner.runnerName] ?? now
                if runner.launchedAt == nil, firstSeen[runner.runnerName] == nil { firstSeen[runner.runnerName] = now }
                if age(seen) >= settings.orphanGrace.seconds {
                    actions.append(.tearDown(runnerName: runner.runnerName, reason: .orphan))
                }
            }
            firstSeen = firstSeen.filter {
                RunnerNaming.pool(of: $0.key, among: [pool.name]) != pool.name || stillOrphan.contains($0.key)
            }
        }
        return actions
    }
}

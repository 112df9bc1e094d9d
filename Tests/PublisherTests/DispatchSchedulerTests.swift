import Foundation
import Testing
@testable import PublisherCore

/// Simulates a scheduler against pools with endless backlogs: every grant is claimed and
/// launched in full immediately; runners never finish unless `finishAfter` is set.
private func simulate(
    _ scheduler: inout DispatchScheduler, seconds: Double, step: Double = 0.01, start: Date,
    backlog: [String: Int] = [:]
) -> [String: Int] {
    var launched: [String: Int] = [:]
    var remaining = backlog
    var t = 0.0
    while t < seconds {
        let now = start.addingTimeInterval(t)
        let plan = scheduler.plan(now: now)
        for grant in plan.grants {
            let available = remaining[grant.pool] ?? Int.max
            let claimed = min(grant.count, available)
            if remaining[grant.pool] != nil { remaining[grant.pool] = available - claimed }
            launched[grant.pool, default: 0] += claimed
            scheduler.finished(
                pool: grant.pool, granted: grant.count, report: .init(asked: grant.count, claimed: claimed, launched: claimed), now: now)
        }
        t += step
    }
    return launched
}

@Suite struct DispatchSchedulerTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func launchRateFollowsTheTokenBucket() {
        let pool = PoolLimits(name: "a", orchestratorURL: "http://o", maxRunners: 10_000, launchRate: 2, launchBurst: 5)
        var scheduler = DispatchScheduler(pools: [pool], settings: .init(jitRate: 1000, jitBurst: 1000), now: start)
        let launched = simulate(&scheduler, seconds: 10, start: start)
        // 5 at once, then 2 per second: 5 + 2 * 10 at most, never fewer than one token short.
        #expect((24...25).contains(launched["a"] ?? 0))
    }

    @Test func maxRunnersCapsLaunchedAndUnfinishedRunners() {
        let pool = PoolLimits(name: "a", orchestratorURL: "http://o", maxRunners: 3, launchRate: 100, launchBurst: 100)
        var scheduler = DispatchScheduler(pools: [pool], now: start)
        #expect(simulate(&scheduler, seconds: 5, start: start)["a"] == 3)
        // Two runners finish (as read from the store): exactly two more launches.
        scheduler.setActive(pool: "a", count: 1)
        scheduler.wake()
        #expect(simulate(&scheduler, seconds: 5, start: start.addingTimeInterval(5))["a"] == 2)
    }

    @Test func globalCapIsSharedFairlyBetweenPools() {
        let pools = ["a", "b", "c"].map { PoolLimits(name: $0, orchestratorURL: "http://o", maxRunners: 10, launchRate: 100, launchBurst: 100) }
        var scheduler = DispatchScheduler(pools: pools, settings: .init(globalMaxRunners: 12), now: start)
        let launched = simulate(&scheduler, seconds: 5, start: start)
        #expect(launched.values.reduce(0, +) == 12)
        #expect(launched.values.allSatisfy { $0 == 4 })
    }

    @Test func jitBucketIsSharedAndRotatesBetweenPools() {
        let pools = ["a", "b", "c"].map { PoolLimits(name: $0, orchestratorURL: "http://o", maxRunners: 10_000, launchRate: 100, launchBurst: 100) }
        var scheduler = DispatchScheduler(pools: pools, settings: .init(jitRate: 3, jitBurst: 6), now: start)
        let launched = simulate(&scheduler, seconds: 30, start: start)
        let total = launched.values.reduce(0, +)
        #expect((95...96).contains(total))  // 6 + 3 * 30
        for name in ["a", "b", "c"] {
            #expect(abs((launched[name] ?? 0) - total / 3) <= 2, "pool \(name) got \(launched[name] ?? 0) of \(total)")
        }
    }

    @Test func aPoolWithAHugeBacklogDoesNotStarveASmallOne() {
        let pools = ["big", "small"].map { PoolLimits(name: $0, orchestratorURL: "http://o", maxRunners: 10_000, launchRate: 1000, launchBurst: 1000) }
        var scheduler = DispatchScheduler(pools: pools, settings: .init(batchSize: 20, jitRate: 10, jitBurst: 10), now: start)
        let launched = simulate(&scheduler, seconds: 1, start: start, backlog: ["big": 100_000, "small": 5])
        #expect(launched["small"] == 5)
    }

    @Test func aShortClaimDrainsThePoolUntilTheNextWakeUp() {
        let pool = PoolLimits(name: "a", orchestratorURL: "http://o", maxRunners: 100, launchRate: 100, launchBurst: 100)
        var scheduler = DispatchScheduler(pools: [pool], now: start)
        let first = scheduler.plan(now: start)
        #expect(first.grants == [.init(pool: "a", count: 20, nearCap: false)])
        scheduler.finished(pool: "a", granted: 20, report: .init(asked: 20, claimed: 3, launched: 3), now: start)
        #expect(scheduler.isDrained(pool: "a"))
        #expect(scheduler.plan(now: start.addingTimeInterval(1)).grants.isEmpty)
        scheduler.wake()
        #expect(scheduler.plan(now: start.addingTimeInterval(1)).grants.count == 1)
    }

    @Test func unusedTokensAreRefunded() {
        let pool = PoolLimits(name: "a", orchestratorURL: "http://o", maxRunners: 100, launchRate: 0.001, launchBurst: 10)
        var scheduler = DispatchScheduler(pools: [pool], now: start)
        #expect(scheduler.plan(now: start).grants.first?.count == 10)
        scheduler.finished(pool: "a", granted: 10, report: .init(asked: 10, claimed: 4, launched: 4), now: start)
        scheduler.wake()
        #expect(scheduler.plan(now: start).grants.first?.count == 6)
    }

    @Test func aFailingPoolPausesWithBackoffAndOthersGoOn() {
        let pools = ["bad", "good"].map { PoolLimits(name: $0, orchestratorURL: "http://o", maxRunners: 1000, launchRate: 1000, launchBurst: 1000) }
        var scheduler = DispatchScheduler(pools: pools, settings: .init(batchSize: 5), now: start)
        let plan = scheduler.plan(now: start)
        #expect(Set(plan.grants.map(\.pool)) == ["bad", "good"])
        scheduler.finished(pool: "bad", granted: 5, report: .init(asked: 5, claimed: 5, launched: 0), now: start)
        scheduler.finished(pool: "good", granted: 5, report: .init(asked: 5, claimed: 5, launched: 5), now: start)
        let next = scheduler.plan(now: start.addingTimeInterval(0.5))
        #expect(next.grants.map(\.pool) == ["good"])
        #expect(next.nextWake == start.addingTimeInterval(1))
        scheduler.finished(pool: "good", granted: 5, report: .init(asked: 5, claimed: 5, launched: 5), now: start)
        let later = scheduler.plan(now: start.addingTimeInterval(1))
        #expect(Set(later.grants.map(\.pool)) == ["bad", "good"])
        // A second failure doubles the pause.
        scheduler.finished(pool: "bad", granted: 5, report: .init(asked: 5, claimed: 5, launched: 0), now: start.addingTimeInterval(1))
        #expect(scheduler.plan(now: start.addingTimeInterval(2.5)).grants.map(\.pool) != ["bad"])
        scheduler.finished(pool: "good", granted: 5, report: .init(asked: 5, claimed: 5, launched: 5), now: start.addingTimeInterval(1))
        #expect(scheduler.plan(now: start.addingTimeInterval(3)).grants.map(\.pool).contains("bad"))
    }

    @Test func aPoolHasAtMostGrantsPerPoolInFlight() {
        let pool = PoolLimits(name: "a", orchestratorURL: "http://o", maxRunners: 1000, launchRate: 1000, launchBurst: 1000)
        var scheduler = DispatchScheduler(pools: [pool], settings: .init(batchSize: 10, grantsPerPool: 2), now: start)
        #expect(scheduler.plan(now: start).grants.count == 1)
        #expect(scheduler.plan(now: start).grants.count == 1)
        #expect(scheduler.plan(now: start.addingTimeInterval(5)).grants.isEmpty)
        #expect(scheduler.isBusy(pool: "a"))
        scheduler.finished(pool: "a", granted: 10, report: .init(asked: 10, claimed: 10, launched: 10), now: start)
        #expect(scheduler.plan(now: start.addingTimeInterval(5)).grants.count == 1)
    }

    @Test func grantsInFlightCountAgainstMaxRunners() {
        let pool = PoolLimits(name: "a", orchestratorURL: "http://o", maxRunners: 25, launchRate: 1000, launchBurst: 1000)
        var scheduler = DispatchScheduler(pools: [pool], settings: .init(batchSize: 10, grantsPerPool: 4, jitRate: 1000, jitBurst: 1000), now: start)
        let grants = (0..<4).map { _ in scheduler.plan(now: start).grants.first }
        #expect(grants.map { $0?.count ?? 0 } == [10, 10, 5, 0])
        // Only grants that reach within a batch of the cap re-read the active count.
        #expect(grants.map { $0?.nearCap ?? false } == [false, true, true, false])
    }

    @Test func rateLimitedPoolAsksToBeWokenWhenATokenIsDue() {
        let pool = PoolLimits(name: "a", orchestratorURL: "http://o", maxRunners: 1000, launchRate: 2, launchBurst: 1)
        var scheduler = DispatchScheduler(pools: [pool], now: start)
        #expect(scheduler.plan(now: start).grants.first?.count == 1)
        scheduler.finished(pool: "a", granted: 1, report: .init(asked: 1, claimed: 1, launched: 1), now: start)
        let plan = scheduler.plan(now: start)
        #expect(plan.grants.isEmpty)
        #expect(plan.nextWake == start.addingTimeInterval(0.5))
    }
}

@Suite struct TokenBucketAndBackoffTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func bucketRefillsAtItsRateUpToBurst() {
        var bucket = TokenBucket(rate: 2, burst: 4, now: start)
        #expect(bucket.take(upTo: 10, now: start) == 4)
        #expect(bucket.take(upTo: 10, now: start.addingTimeInterval(1)) == 2)
        #expect(bucket.take(upTo: 10, now: start.addingTimeInterval(100)) == 4)
        bucket.refund(3)
        #expect(bucket.available(now: start.addingTimeInterval(100)) == 3)
    }

    @Test func backoffGrowsIsCappedJitteredAndHonoursRetryAfter() {
        let backoff = Backoff(base: .seconds(2), cap: .seconds(60))
        #expect(backoff.delay(afterAttempt: 1, hint: nil, random: 1) == .seconds(2))
        #expect(backoff.delay(afterAttempt: 1, hint: nil, random: 0) == .seconds(1))
        #expect(backoff.delay(afterAttempt: 3, hint: nil, random: 1) == .seconds(8))
        #expect(backoff.delay(afterAttempt: 20, hint: nil, random: 1) == .seconds(60))
        #expect(backoff.delay(afterAttempt: 1, hint: .seconds(30), random: 0) == .seconds(30))
    }

    @Test func runnerNamesAreParsedBackToTheirPool() {
        let pools = ["ec2", "ec2-linux", "eks"]
        #expect(RunnerNaming.name(pool: "ec2-linux", jobID: 42, attempt: 1) == "runway-ec2-linux-42-1")
        #expect(RunnerNaming.pool(of: "runway-ec2-linux-42-1", among: pools) == "ec2-linux")
        #expect(RunnerNaming.pool(of: "runway-ec2-42-3", among: pools) == "ec2")
        #expect(RunnerNaming.pool(of: "runway-gpu-42-3", among: pools) == nil)
        #expect(RunnerNaming.pool(of: "someone-else-42-1", among: pools) == nil)
        #expect(RunnerNaming.pool(of: "runway-eks-42", among: pools) == nil)
    }
}

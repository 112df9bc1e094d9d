import Foundation
import Testing
@testable import PublisherCore

@Suite struct ReconcilePlannerTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let pool = PoolLimits(
        name: "ec2", orchestratorURL: "http://o", maxRunners: 10, idleTimeout: .seconds(600), maxLifetime: .seconds(6 * 3600),
        maxAttempts: 5, launchTimeout: .seconds(900))

    func ago(_ seconds: Double) -> Date { now.addingTimeInterval(-seconds) }
    /// `status` documents the launched-for job's GitHub status; the rules read it from `waitingJobs`.
    func runner(_ job: Int64, ran: Int64? = nil, status: String = "queued", age: Double) -> RunnerRecord {
        RunnerRecord(name: "runway-ec2-\(job)-1", pool: "ec2", launchedFor: job, ranJob: ran, launchedAt: ago(age))
    }
    func provider(_ runners: [RunnerRecord], extra: [ProviderRunner] = []) -> [ProviderRunner] {
        runners.map { ProviderRunner(runnerName: $0.name, providerID: "i-1", state: "running", launchedAt: $0.launchedAt) } + extra
    }

    @Test func aHealthyPoolNeedsNothing() {
        var planner = ReconcilePlanner()
        let runners = [runner(1, age: 60), runner(2, ran: 2, status: "in_progress", age: 120)]
        let snapshot = PoolSnapshot(runners: runners, waitingJobs: [WaitingJob(id: 1, runnerName: "runway-ec2-1-1", launchedAt: ago(60))])
        #expect(planner.plan(pool: pool, snapshot: snapshot, provider: provider(runners), now: now).isEmpty)
    }

    @Test func aJobWhoseRunnerRanAnotherJobIsPendingAgainWhenNoSpareRunnerExists() {
        var planner = ReconcilePlanner()
        // Runner for job 1 ran job 9 (which we never launched for); job 1 is still queued.
        let runners = [runner(1, ran: 9, age: 60)]
        let snapshot = PoolSnapshot(runners: runners, waitingJobs: [WaitingJob(id: 1, runnerName: "runway-ec2-1-1", launchedAt: ago(60))])
        #expect(planner.plan(pool: pool, snapshot: snapshot, provider: provider(runners), now: now)
            == [.requeue(jobID: 1, reason: .runnerTookOtherJob)])
    }

    @Test func aSwapNeedsNothing() {
        var planner = ReconcilePlanner()
        // Runner for 1 ran 2; runner for 2 is idle and GitHub will hand it job 1.
        let runners = [runner(1, ran: 2, age: 60), runner(2, status: "in_progress", age: 59)]
        let snapshot = PoolSnapshot(runners: runners, waitingJobs: [WaitingJob(id: 1, runnerName: "runway-ec2-1-1", launchedAt: ago(60))])
        #expect(planner.plan(pool: pool, snapshot: snapshot, provider: provider(runners), now: now).isEmpty)
    }

    @Test func surplusIdleRunnersAreTornDownAfterIdleTimeoutUnlessPendingDemand() {
        var planner = ReconcilePlanner()
        // Jobs 1..3 were cancelled before their runners were used.
        let runners = [runner(1, status: "completed", age: 700), runner(2, status: "completed", age: 650), runner(3, status: "completed", age: 300)]
        let snapshot = PoolSnapshot(runners: runners)
        #expect(planner.plan(pool: pool, snapshot: snapshot, provider: provider(runners), now: now) == [
            .tearDown(runnerName: "runway-ec2-1-1", reason: .idle), .tearDown(runnerName: "runway-ec2-2-1", reason: .idle),
        ])
        // One pending job can use one of them: only the oldest goes.
        var demand = snapshot
        demand.pendingCount = 1
        #expect(planner.plan(pool: pool, snapshot: demand, provider: provider(runners), now: now) == [
            .tearDown(runnerName: "runway-ec2-1-1", reason: .idle)
        ])
    }

    @Test func runnersPastMaxLifetimeAreTornDownEvenWhenBusy() {
        var planner = ReconcilePlanner()
        let runners = [runner(1, ran: 1, status: "in_progress", age: 6 * 3600 + 1), runner(2, ran: 2, status: "in_progress", age: 6 * 3600 - 1)]
        #expect(planner.plan(pool: pool, snapshot: PoolSnapshot(runners: runners), provider: provider(runners), now: now)
            == [.tearDown(runnerName: "runway-ec2-1-1", reason: .maxLifetime)])
    }

    @Test func orphansAreTornDownAfterTheGracePeriodOnly() {
        var planner = ReconcilePlanner()
        let extra = [
            ProviderRunner(runnerName: "runway-ec2-77-1", providerID: "i-77", state: "running", launchedAt: ago(301)),
            ProviderRunner(runnerName: "runway-ec2-78-1", providerID: "i-78", state: "running", launchedAt: ago(30)),
            ProviderRunner(runnerName: "someone-elses", providerID: "i-79", state: "running", launchedAt: ago(9999)),
            ProviderRunner(runnerName: "runway-ec2-linux-80-1", providerID: "i-80", state: "running", launchedAt: ago(9999)),
        ]
        #expect(planner.plan(pool: pool, snapshot: PoolSnapshot(), provider: extra, now: now)
            == [.tearDown(runnerName: "runway-ec2-77-1", reason: .orphan)])
    }

    @Test func orphansWithoutALaunchTimeWaitFromFirstSight() {
        var planner = ReconcilePlanner()
        let orphan = [ProviderRunner(runnerName: "runway-ec2-77-1", providerID: "i-77", state: "running", launchedAt: nil)]
        #expect(planner.plan(pool: pool, snapshot: PoolSnapshot(), provider: orphan, now: now).isEmpty)
        #expect(planner.plan(pool: pool, snapshot: PoolSnapshot(), provider: orphan, now: now.addingTimeInterval(299)).isEmpty)
        #expect(planner.plan(pool: pool, snapshot: PoolSnapshot(), provider: orphan, now: now.addingTimeInterval(300))
            == [.tearDown(runnerName: "runway-ec2-77-1", reason: .orphan)])
    }

    @Test func aVanishedRunnerIsTornDownAndItsJobRelaunched() {
        var planner = ReconcilePlanner()
        let runners = [runner(1, age: 400), runner(2, age: 100)]
        let waiting = [
            WaitingJob(id: 1, runnerName: "runway-ec2-1-1", launchedAt: ago(400)),
            WaitingJob(id: 2, runnerName: "runway-ec2-2-1", launchedAt: ago(100)),
        ]
        // Neither instance exists any more; only runner 1 is past the grace period.
        let actions = planner.plan(pool: pool, snapshot: PoolSnapshot(runners: runners, waitingJobs: waiting), provider: [], now: now)
        #expect(actions == [.tearDown(runnerName: "runway-ec2-1-1", reason: .lost), .requeue(jobID: 1, reason: .runnerLost)])
        // Without a provider listing the vanish rule waits.
        #expect(planner.plan(pool: pool, snapshot: PoolSnapshot(runners: runners, waitingJobs: waiting), provider: nil, now: now).isEmpty)
    }

    @Test func aRunnerThatNeverPicksUpItsJobIsReplacedAfterLaunchTimeout() {
        var planner = ReconcilePlanner()
        let runners = [runner(1, age: 901)]
        let waiting = [WaitingJob(id: 1, runnerName: "runway-ec2-1-1", launchedAt: ago(901))]
        #expect(planner.plan(pool: pool, snapshot: PoolSnapshot(runners: runners, waitingJobs: waiting), provider: provider(runners), now: now)
            == [.tearDown(runnerName: "runway-ec2-1-1", reason: .lost), .requeue(jobID: 1, reason: .runnerLost)])
    }

    @Test func aLostRunnersJobIsCoveredByASpareRunnerInstead() {
        var planner = ReconcilePlanner()
        // Runner 1 vanished; runner 5 is idle, its job cancelled, so job 1 will get it.
        let runners = [runner(1, age: 400), runner(5, status: "completed", age: 200)]
        let waiting = [WaitingJob(id: 1, runnerName: "runway-ec2-1-1", launchedAt: ago(400))]
        let actions = planner.plan(pool: pool, snapshot: PoolSnapshot(runners: runners, waitingJobs: waiting), provider: provider([runners[1]]), now: now)
        #expect(actions == [.tearDown(runnerName: "runway-ec2-1-1", reason: .lost)])
    }

    @Test func anIncompleteSnapshotNeverActsOnAbsence() {
        var planner = ReconcilePlanner()
        let orphan = [ProviderRunner(runnerName: "runway-ec2-77-1", providerID: "i-77", state: "running", launchedAt: ago(9999))]
        let waiting = [WaitingJob(id: 5, runnerName: "runway-ec2-5-1", launchedAt: ago(60))]
        let snapshot = PoolSnapshot(runners: [], waitingJobs: waiting, complete: false)
        #expect(planner.plan(pool: pool, snapshot: snapshot, provider: orphan, now: now).isEmpty)
        var complete = snapshot
        complete.complete = true
        #expect(planner.plan(pool: pool, snapshot: complete, provider: orphan, now: now)
            == [.requeue(jobID: 5, reason: .runnerLost), .tearDown(runnerName: "runway-ec2-77-1", reason: .orphan)])
    }
}

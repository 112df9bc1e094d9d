import Foundation
import Logging
import RunwayKit
import Synchronization
import Testing
@testable import PublisherCore

@Suite struct ReconcilerTests {
    let logger = quietLogger()
    let pool = PoolLimits(name: "ec2", orchestratorURL: "http://o", maxRunners: 10, maxAttempts: 3)

    func reconciler(_ store: FakeStore, _ orchestrator: FakeOrchestrator, leader: FakeLeader = FakeLeader(), clock: ManualClock,
                    requeued: Tally = Tally()) -> Reconciler {
        Reconciler(
            pools: [pool], store: store, orchestrator: orchestrator, leader: leader,
            route: { labels in labels.contains("ec2") ? .pool("ec2") : .unroutable(reason: "no pool") },
            onRequeue: { requeued.add() },
            settings: .init(interval: .milliseconds(20), teardownInterval: .milliseconds(20)), logger: logger, now: clock.closure)
    }

    @Test func expiredLeasesGoBackToPending() async {
        let clock = ManualClock()
        let store = FakeStore(clock: clock)
        store.add(1, pool: "ec2")
        _ = try? await store.claim(pool: "ec2", limit: 1, leaseOwner: "dead-replica", lease: .seconds(60))
        let requeued = Tally()
        let reconciler = reconciler(store, FakeOrchestrator(clock: clock), clock: clock, requeued: requeued)
        await reconciler.reconcile()
        #expect(store.job(1)?.state == "dispatching")
        clock.advance(61)
        await reconciler.reconcile()
        #expect(store.job(1)?.state == "pending")
        #expect(requeued.count == 1)
    }

    @Test func aJobWhoseRunnerTookAnotherJobIsRequeued() async {
        let clock = ManualClock()
        let store = FakeStore(clock: clock)
        store.add(1, pool: "ec2")
        store.state.withLock { s in
            s.jobs[1]?.state = "launched"
            s.snapshots["ec2"] = PoolSnapshot(
                runners: [RunnerRecord(name: "runway-ec2-1-0", pool: "ec2", launchedFor: 1, ranJob: 9, launchedAt: clock.now)],
                waitingJobs: [WaitingJob(id: 1, runnerName: "runway-ec2-1-0", launchedAt: clock.now)])
        }
        let requeued = Tally()
        await reconciler(store, FakeOrchestrator(clock: clock), clock: clock, requeued: requeued).reconcile()
        #expect(store.job(1)?.state == "pending")
        #expect(store.job(1)?.lastError == "its runner ran another job")
        #expect(requeued.count == 1)
    }

    @Test func lostRunnersAreTornDownAndTheirJobsRelaunchedWithinMaxAttempts() async {
        let clock = ManualClock()
        let store = FakeStore(clock: clock)
        let orchestrator = FakeOrchestrator(clock: clock)
        store.add(1, pool: "ec2")
        store.state.withLock { s in
            s.jobs[1]?.state = "launched"
            s.jobs[1]?.attempts = 2
            s.snapshots["ec2"] = PoolSnapshot(
                runners: [RunnerRecord(name: "runway-ec2-1-2", pool: "ec2", launchedFor: 1, launchedAt: clock.now.addingTimeInterval(-400))],
                waitingJobs: [WaitingJob(id: 1, runnerName: "runway-ec2-1-2", launchedAt: clock.now.addingTimeInterval(-400))])
        }
        await reconciler(store, orchestrator, clock: clock).reconcile()
        #expect(orchestrator.state.withLock { $0.teardowns } == ["runway-ec2-1-2"])
        #expect(store.calls.contains("gone runway-ec2-1-2"))
        // Third attempt of three: the job fails rather than relaunching forever.
        #expect(store.job(1)?.state == "failed")
    }

    @Test func orphansAtTheProviderAreTornDown() async {
        let clock = ManualClock()
        let store = FakeStore(clock: clock)
        let orchestrator = FakeOrchestrator(clock: clock)
        orchestrator.state.withLock {
            $0.provider["ec2"] = [ProviderRunner(runnerName: "runway-ec2-5-0", providerID: "i-5", state: "running", launchedAt: clock.now.addingTimeInterval(-600))]
        }
        await reconciler(store, orchestrator, clock: clock).reconcile()
        #expect(orchestrator.state.withLock { $0.teardowns } == ["runway-ec2-5-0"])
    }

    /// Regression (fault test): a launch whose record failed while Postgres restarted left a runner
    /// the database did not know; its job, rescued after the lease, was about to ask for the same
    /// name. Reaping it as an orphan first made that launch start a second runner for the job.
    @Test func anOrphanWhoseJobMayStillAdoptItIsSpared() async {
        let clock = ManualClock()
        let store = FakeStore(clock: clock)
        let orchestrator = FakeOrchestrator(clock: clock)
        store.add(5, pool: "ec2")
        store.add(6, pool: "ec2")
        store.add(7, pool: "ec2")
        store.add(8, pool: "ec2")
        store.state.withLock { s in
            s.jobs[8]?.runnerName = "runway-ec2-8-0"  // requeued after its runner was lost: the next launch is -1
            s.jobs[6]?.state = "launched"
            s.jobs[6]?.runnerName = "runway-ec2-6-0"  // recorded after the snapshot was read
            s.jobs[7]?.state = "launched"
            s.jobs[7]?.runnerName = "runway-ec2-7-1"  // relaunched: its attempt-0 runner is a true orphan
        }
        let old = clock.now.addingTimeInterval(-600)
        orchestrator.state.withLock {
            $0.provider["ec2"] = ["runway-ec2-5-0", "runway-ec2-6-0", "runway-ec2-7-0", "runway-ec2-8-0"].map {
                ProviderRunner(runnerName: $0, providerID: "i-\($0)", state: "running", launchedAt: old)
            }
        }
        let reconciler = reconciler(store, orchestrator, clock: clock)
        await reconciler.reconcile()
        #expect(Set(orchestrator.state.withLock { $0.teardowns }) == ["runway-ec2-7-0", "runway-ec2-8-0"])
        // Once the job no longer waits for a launch (here it was cancelled), its runner is an orphan.
        store.state.withLock { $0.jobs[5]?.state = "cancelled" }
        await reconciler.reconcile()
        #expect(orchestrator.state.withLock { $0.teardowns }.contains("runway-ec2-5-0"))
    }

    @Test func strayJobsAreReroutedOrMarkedUnroutable() async {
        let clock = ManualClock()
        let store = FakeStore(clock: clock)
        store.add(1, pool: "removed", labels: ["self-hosted", "ec2"])
        store.add(2, pool: "removed", labels: ["self-hosted", "gpu"])
        await reconciler(store, FakeOrchestrator(clock: clock), clock: clock).reconcile()
        #expect(store.job(1)?.pool == "ec2" && store.job(1)?.state == "pending")
        #expect(store.job(2)?.state == "unroutable")
    }

    @Test func finishedRunnersAreTornDownUntilConfirmed() async {
        let clock = ManualClock()
        let store = FakeStore(clock: clock)
        let orchestrator = FakeOrchestrator(clock: clock)
        orchestrator.state.withLock { $0.teardownFailures = 2 }
        store.state.withLock {
            $0.toTearDown = [
                RunnerRecord(name: "runway-ec2-1-0", pool: "ec2", launchedFor: 1, ranJob: 1, launchedAt: clock.now),
                RunnerRecord(name: "not-ours", pool: "ec2", launchedFor: 2, launchedAt: clock.now),
            ]
        }
        let reconciler = reconciler(store, orchestrator, clock: clock)
        for _ in 0..<3 { await reconciler.tearDownFinished() }
        #expect(orchestrator.state.withLock { $0.teardowns } == Array(repeating: "runway-ec2-1-0", count: 3))
        #expect(store.state.withLock { $0.gone } == ["runway-ec2-1-0"])
        await reconciler.tearDownFinished()
        #expect(orchestrator.state.withLock { $0.teardowns }.count == 3)
    }

    @Test func onlyTheLeaderReconciles() async {
        let clock = ManualClock()
        let store = FakeStore(clock: clock)
        let orchestrator = FakeOrchestrator(clock: clock)
        store.state.withLock {
            $0.toTearDown = [RunnerRecord(name: "runway-ec2-1-0", pool: "ec2", launchedFor: 1, ranJob: 1, launchedAt: clock.now)]
        }
        let leader = FakeLeader(false)
        let reconciler = reconciler(store, orchestrator, leader: leader, clock: clock)
        let run = Task { await reconciler.run() }
        defer { run.cancel() }
        try? await Task.sleep(for: .milliseconds(150))
        #expect(orchestrator.state.withLock { $0.teardowns }.isEmpty)
        leader.leading.withLock { $0 = true }
        #expect(await eventually { store.state.withLock { $0.gone } == ["runway-ec2-1-0"] })
    }
}

/// A thread-safe counter.
final class Tally: Sendable {
    private let value = Mutex(0)
    func add() { value.withLock { $0 += 1 } }
    var count: Int { value.withLock { $0 } }
}

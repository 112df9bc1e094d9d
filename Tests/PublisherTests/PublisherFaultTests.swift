import Foundation
import HTTPClient
import JobStore
import Logging
import Postgres
import Synchronization
import Testing
@testable import PublisherCore

/// A store that behaves like a replica killed right after its first claim: the claim commits,
/// every later call fails (nothing more reaches the database).
final class DyingStore: DispatchStore, Sendable {
    let inner: JobStore
    let claimed = Mutex(false)
    init(_ inner: JobStore) { self.inner = inner }
    private func dead() throws -> Never { throw FakeError.down }
    func claim(pool: String, limit: Int, leaseOwner: String, lease: Duration) async throws -> [DispatchJob] {
        guard claimed.withLock({ let first = !$0; $0 = true; return first }) else { try dead() }
        return try await inner.claim(pool: pool, limit: limit, leaseOwner: leaseOwner, lease: lease)
    }
    func markLaunched(_ job: DispatchJob, leaseOwner: String, runnerName: String, providerID: String) async throws -> Bool { try dead() }
    func release(_ job: DispatchJob, leaseOwner: String, retryAfter: Duration, error: String, permanent: Bool, countsAttempt: Bool, maxAttempts: Int) async throws -> ReleaseResult { try dead() }
    func activeRunnerCount(pool: String) async throws -> Int { try await inner.activeRunnerCount(pool: pool) }
    func pendingCount(pool: String) async throws -> Int { try dead() }
    func rescueExpiredLeases() async throws -> Int { try dead() }
    func snapshot(pool: String) async throws -> PoolSnapshot { try dead() }
    func requeue(jobID: Int64, reason: String, maxAttempts: Int) async throws -> ReleaseResult { try dead() }
    func runnersToTearDown(limit: Int) async throws -> [RunnerRecord] { try dead() }
    func markRunnerGone(name: String) async throws { try dead() }
    func strayJobs(knownPools: [String], limit: Int) async throws -> [StrayJob] { try dead() }
    func reroute(jobID: Int64, pool: String?, reason: String) async throws { try dead() }
    func jobs(state: String?, pool: String?, limit: Int) async throws -> [JobView] { try dead() }
    func job(id: Int64) async throws -> JobView? { try dead() }
}

@Suite(.serialized) struct PublisherFaultTests {
    let logger = quietLogger()
    let pool = "ec2-ubuntu"

    func limits(_ url: String) -> PoolLimits {
        PoolLimits(name: pool, orchestratorURL: url, maxRunners: 100_000, launchRate: 100_000, launchBurst: 100_000, maxAttempts: 5)
    }

    func settings(_ owner: String, lease: Duration = .seconds(30)) -> Dispatcher.Settings {
        .init(leaseOwner: owner, lease: lease, pollInterval: .milliseconds(100), backoff: Backoff(base: .milliseconds(10), cap: .milliseconds(50)),
              scheduler: .init(batchSize: 50, jitRate: 100_000, jitBurst: 100_000))
    }

    @Test func aReplicaKilledMidDispatchStrandsNothingAndDoublesNothing() async throws {
        try await IntegrationDB.withDatabase { configuration in
            let jobs = 300
            try await IntegrationDB.seed(configuration, count: jobs, pools: [pool])
            let orchestrator = try OrchestratorDouble()
            let client = HTTPClient()
            defer { client.shutdown() }
            let api = HTTPOrchestratorClient(transport: client, token: "t", timeout: .seconds(5))
            let store = JobStore(pool: PostgresPool(configuration: configuration, logger: logger), logger: logger, maxAttempts: 5)
            defer { store.pool.shutdown() }

            // The doomed replica claims 50 jobs, calls the Orchestrator for them, and dies before recording anything.
            let doomed = Dispatcher(pools: [limits(orchestrator.url)], store: DyingStore(store), orchestrator: api, settings: settings("doomed", lease: .seconds(2)), logger: logger)
            let doomedRun = Task { await doomed.run() }
            #expect(await eventually(10) { orchestrator.state.withLock { $0.launches.count } == 50 })
            doomedRun.cancel()
            await doomedRun.value

            // The survivor drains the rest; its reconciler rescues the dead replica's leases.
            let survivor = Dispatcher(pools: [limits(orchestrator.url)], store: store, orchestrator: api, settings: settings("survivor"), logger: logger)
            let reconciler = Reconciler(
                pools: [limits(orchestrator.url)], store: store, orchestrator: api, leader: FakeLeader(), route: { _ in .pool("ec2-ubuntu") },
                onRequeue: { await survivor.notify() }, settings: .init(interval: .milliseconds(500)), logger: logger)
            let runs = [Task { await survivor.run() }, Task { await reconciler.run() }]
            var counts: [String: Int] = [:]
            for _ in 0..<150 {
                counts = try await IntegrationDB.counts(configuration)
                if counts["launched"] == jobs { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            for run in runs { run.cancel() }
            for run in runs { await run.value }
            await orchestrator.stop()
            #expect(counts["launched"] == jobs, "\(counts)")
            // One runner name per job: retries (rescued leases, timeouts) re-ask for the same runner.
            let names = orchestrator.state.withLock { Array($0.launches.keys) }
            var perJob: [Int64: Set<String>] = [:]
            for name in names { perJob[RunnerName(parsing: name)!.jobID, default: []].insert(name) }
            #expect(perJob.count == jobs)
            #expect(perJob.values.allSatisfy { $0.count == 1 }, "\(perJob.filter { $0.value.count > 1 })")
            #expect(orchestrator.state.withLock { $0.calls } >= jobs + 50)
        }
    }

    @Test func reconciliationRulesWorkOnTheRealStore() async throws {
        try await IntegrationDB.withDatabase { configuration in
            let clock = ManualClock()
            let store = JobStore(pool: PostgresPool(configuration: configuration, logger: logger), logger: logger, maxAttempts: 5)
            defer { store.pool.shutdown() }
            let orchestrator = FakeOrchestrator(clock: clock)
            func event(_ id: Int64, _ status: GitHubStatus, pool: String?, runner: String? = nil) -> WorkflowJobEvent {
                WorkflowJobEvent(
                    deliveryID: UUID().uuidString, action: status.rawValue, jobID: id, runID: id, runAttempt: 1, repository: "octo/repo",
                    owner: "octo", installationID: 42, labels: ["self-hosted", "linux"], status: status, runnerName: runner, pool: pool,
                    startedAt: status >= .inProgress ? Date() : nil, completedAt: status == .completed ? Date() : nil)
            }
            _ = try await store.record(event(1, .queued, pool: pool))
            _ = try await store.record(event(2, .queued, pool: "other"))
            _ = try await store.record(event(3, .queued, pool: "removed"))
            let limits = PoolLimits(name: pool, orchestratorURL: "http://o", maxRunners: 10, maxAttempts: 5)
            let dispatcher = Dispatcher(pools: [limits], store: store, orchestrator: orchestrator, settings: settings("p"), logger: logger)
            let run = Task { await dispatcher.run() }
            defer { run.cancel() }
            #expect(await eventually { orchestrator.launchedNames == ["runway-ec2-ubuntu-1-0"] })

            // The runner launched for job 1 runs job 2 instead; job 1 is still queued.
            _ = try await store.record(event(2, .inProgress, pool: "other", runner: "runway-ec2-ubuntu-1-0"))
            let reconciler = Reconciler(
                pools: [limits], store: store, orchestrator: orchestrator, leader: FakeLeader(),
                route: { _ in .pool("ec2-ubuntu") }, onRequeue: { await dispatcher.notify() }, logger: logger)
            await reconciler.reconcile()
            // Job 1 is relaunched under a new name; job 3 (pool removed from config) is re-routed and launched.
            #expect(await eventually { Set(orchestrator.launchedNames).isSuperset(of: ["runway-ec2-ubuntu-1-1", "runway-ec2-ubuntu-3-0"]) })
            let job3: Job? = try await store.job(id: 3)
            #expect(job3?.pool == pool)
            let job1: Job? = try await store.job(id: 1)
            #expect(job1?.attempts == 1 && job1?.lastError == "its runner ran another job")

            // Job 2 completes: its runner (named for job 1) is torn down and marked gone.
            _ = try await store.record(event(2, .completed, pool: "other", runner: "runway-ec2-ubuntu-1-0"))
            await reconciler.tearDownFinished()
            #expect(orchestrator.state.withLock { $0.teardowns } == ["runway-ec2-ubuntu-1-0"])
            let runner = try await store.runner(name: "runway-ec2-ubuntu-1-0")
            #expect(runner?.state == .gone)

            // The admin view of the store.
            let views = try await store.jobs(state: "launched", pool: pool, limit: 10)
            #expect(Set(views.map(\.id)) == [1, 3])
        }
    }

    @Test func oneLeaderAtATimeThroughTheAdvisoryLock() async throws {
        let url = try #require(ProcessInfo.processInfo.environment["RUNWAY_TEST_DATABASE_URL"], "run inside scripts/test-env.sh")
        let key = Int64.random(in: 1_000_000...1_000_000_000)
        let configuration = PostgresConfiguration(connectionString: url)
        var first: PostgresLeaderLock? = PostgresLeaderLock(configuration: configuration, key: key, logger: logger)
        let second = PostgresLeaderLock(configuration: configuration, key: key, logger: logger)
        #expect(await first!.tryAcquire())
        #expect(await first!.tryAcquire())
        #expect(!(await second.tryAcquire()))
        await first!.release()
        first = nil
        #expect(await eventually { await second.tryAcquire() })
    }
}

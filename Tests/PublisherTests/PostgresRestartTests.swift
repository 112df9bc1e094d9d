import Foundation
import HTTPClient
import JobStore
import Logging
import Postgres
import Testing
@testable import PublisherCore

/// Runs `scripts/test-pg.sh restart` on a thread of its own (it blocks for about a second);
/// posix_spawn + waitpid, since Foundation's `Process` never saw the child exit inside the test runner.
func restartTestPostgres() async throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let script = root.appendingPathComponent("scripts/test-pg.sh").path
    let status: Int32 = await withCheckedContinuation { continuation in
        Thread.detachNewThread {
            var pid: pid_t = 0
            var argv: [UnsafeMutablePointer<CChar>?] = [strdup(script), strdup("restart"), nil]
            defer { for arg in argv { free(arg) } }
            guard posix_spawn(&pid, script, nil, nil, &argv, environ) == 0 else { return continuation.resume(returning: -1) }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
            continuation.resume(returning: status)
        }
    }
    #expect(status == 0)
}

@Suite(.serialized) struct PostgresRestartTests {
    let logger = quietLogger()

    @Test func aPostgresRestartMidPassLosesAndDoublesNothing() async throws {
        _ = try #require(ProcessInfo.processInfo.environment["RUNWAY_TEST_PG_CTL"], "run inside scripts/test-env.sh")
        try await IntegrationDB.withDatabase { configuration in
            let jobs = 2_000
            let pools = ["ec2-ubuntu", "eks-ubuntu"]
            try await IntegrationDB.seed(configuration, count: jobs, pools: pools)
            let orchestrator = try OrchestratorDouble()
            let client = HTTPClient()
            defer { client.shutdown() }
            let api = HTTPOrchestratorClient(transport: client, token: "t", timeout: .seconds(5))
            let limits = pools.map { PoolLimits(name: $0, orchestratorURL: orchestrator.url, maxRunners: 100_000, launchRate: 400, launchBurst: 50, maxAttempts: 10) }
            var stores: [JobStore] = []
            var tasks: [Task<Void, Never>] = []
            for index in 0..<2 {
                let store = JobStore(pool: PostgresPool(configuration: configuration, logger: logger), logger: logger, maxAttempts: 10)
                stores.append(store)
                let dispatcher = Dispatcher(
                    pools: limits, store: store, orchestrator: api,
                    settings: .init(leaseOwner: "replica-\(index)", lease: .seconds(6), pollInterval: .milliseconds(200),
                                    backoff: Backoff(base: .milliseconds(10), cap: .milliseconds(50)),
                                    scheduler: .init(batchSize: 20, jitRate: 100_000, jitBurst: 100_000)),
                    logger: logger)
                let reconciler = Reconciler(
                    pools: limits, store: store, orchestrator: api, leader: FakeLeader(index == 0), route: { _ in .pool("ec2-ubuntu") },
                    onRequeue: { await dispatcher.notify() }, settings: .init(interval: .milliseconds(500)), logger: logger)
                tasks.append(Task { await dispatcher.run() })
                tasks.append(Task { await reconciler.run() })
            }
            // Restart while launches are flowing (launch rate 400/s per pool, so it is mid-pass).
            #expect(await eventually(20) { orchestrator.state.withLock { $0.launches.count } >= 300 })
            try await restartTestPostgres()
            var counts: [String: Int] = [:]
            let deadline = Date().addingTimeInterval(40)
            while Date() < deadline {
                if let now = try? await IntegrationDB.counts(configuration) {
                    counts = now
                    if counts["launched"] == jobs { break }
                }
                try await Task.sleep(for: .milliseconds(200))
            }
            for task in tasks { task.cancel() }
            for task in tasks { await task.value }
            for store in stores { store.pool.shutdown() }
            await orchestrator.stop()
            #expect(counts["launched"] == jobs, "\(counts)")
            var perJob: [Int64: Set<String>] = [:]
            for name in orchestrator.state.withLock({ Array($0.launches.keys) }) {
                perJob[RunnerName(parsing: name)!.jobID, default: []].insert(name)
            }
            #expect(perJob.count == jobs)
            #expect(perJob.values.allSatisfy { $0.count == 1 }, "\(perJob.filter { $0.value.count > 1 }.keys.sorted())")
        }
    }
}

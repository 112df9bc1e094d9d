import Foundation
import HTTPClient
import JobStore
import Logging
import Postgres
import Testing
@testable import PublisherCore

/// Real Postgres (scripts/test-env.sh), real HTTP to an Orchestrator double, several Publisher
/// dispatchers on one database.
@Suite(.serialized) struct PublisherIntegrationTests {
    static let logger = quietLogger()

    /// Runs `replicas` dispatchers, each with its own connection pool and lease owner, until
    /// every job is launched or `timeout` passes; returns the final counts.
    func drain(
        _ configuration: PostgresConfiguration, replicas: Int, jobs: Int, orchestrator: OrchestratorDouble, pools: [String],
        maxAttempts: Int, timeout: Double = 40
    ) async throws -> [String: Int] {
        let client = HTTPClient()
        defer { client.shutdown() }
        var stores: [JobStore] = []
        var tasks: [Task<Void, Never>] = []
        for index in 0..<replicas {
            let store = JobStore(pool: PostgresPool(configuration: configuration, logger: Self.logger), logger: Self.logger, maxAttempts: maxAttempts)
            stores.append(store)
            let limits = pools.map {
                PoolLimits(name: $0, orchestratorURL: orchestrator.url, maxRunners: 100_000, launchRate: 100_000, launchBurst: 100_000, maxAttempts: maxAttempts)
            }
            let dispatcher = Dispatcher(
                pools: limits, store: store, orchestrator: HTTPOrchestratorClient(transport: client, token: "t", timeout: .seconds(5)),
                settings: .init(
                    leaseOwner: "replica-\(index)", lease: .seconds(30), pollInterval: .milliseconds(200),
                    backoff: Backoff(base: .milliseconds(10), cap: .milliseconds(50)),
                    scheduler: .init(batchSize: 50, jitRate: 100_000, jitBurst: 100_000)),
                logger: Self.logger)
            tasks.append(Task { await dispatcher.run() })
        }
        let deadline = Date().addingTimeInterval(timeout)
        var result: [String: Int] = [:]
        while Date() < deadline {
            result = try await IntegrationDB.counts(configuration)
            if (result["launched"] ?? 0) + (result["failed"] ?? 0) == jobs { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        for store in stores { store.pool.shutdown() }
        return result
    }

    @Test(arguments: [2, 3])
    func replicasDrainFiveThousandJobsLaunchingEachExactlyOnce(replicas: Int) async throws {
        try await IntegrationDB.withDatabase { configuration in
            let jobs = 5_000
            let pools = ["ec2-ubuntu", "eks-ubuntu", "ec2-windows"]
            try await IntegrationDB.seed(configuration, count: jobs, pools: pools)
            let orchestrator = try OrchestratorDouble()
            let started = Date()
            let counts = try await drain(configuration, replicas: replicas, jobs: jobs, orchestrator: orchestrator, pools: pools, maxAttempts: 5)
            let elapsed = Date().timeIntervalSince(started)
            await orchestrator.stop()
            #expect(counts["launched"] == jobs, "\(counts)")
            let launches = orchestrator.state.withLock { $0.launches }
            #expect(launches.count == jobs)
            #expect(launches.values.allSatisfy { $0 == 1 })
            print("\(replicas) replicas drained \(jobs) jobs in \(String(format: "%.2f", elapsed)) s")
        }
    }

    @Test func anOrchestratorFailing30PercentLosesAndDoublesNothing() async throws {
        try await IntegrationDB.withDatabase { configuration in
            let jobs = 1_000
            try await IntegrationDB.seed(configuration, count: jobs, pools: ["ec2-ubuntu", "eks-ubuntu"])
            let orchestrator = try OrchestratorDouble(failureRate: 0.3)
            let counts = try await drain(
                configuration, replicas: 2, jobs: jobs, orchestrator: orchestrator, pools: ["ec2-ubuntu", "eks-ubuntu"], maxAttempts: 30)
            await orchestrator.stop()
            #expect(counts["launched"] == jobs, "\(counts)")
            let state = orchestrator.state.withLock { $0 }
            #expect(state.failures > 0)
            // Every job has exactly one runner that launched: retries used new attempt names only after a failure.
            #expect(state.launches.count == jobs)
            #expect(state.launches.values.allSatisfy { $0 == 1 })
            let pool = PostgresPool(configuration: configuration, logger: Self.logger)
            defer { pool.shutdown() }
            let retried = try await pool.query("SELECT count(*) AS n FROM jobs WHERE attempts > 0 AND last_error LIKE 'orchestrator 500%'")
            #expect(try retried.single().decode("n", as: Int.self) > 0)
        }
    }
}

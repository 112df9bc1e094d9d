import Foundation
import HTTP
import HTTPClient
import JobStore
import Logging
import Postgres
import RunwayKit

extension PublisherService {
    /// The `publisher` executable: reads the configuration, opens the job store (migrating when
    /// `RUNWAY_MIGRATE=1`), serves the admin API and runs dispatch and reconciliation until
    /// SIGTERM. Returns the exit code (2 for a configuration error).
    public static func main(environment: [String: String]) async -> Int32 {
        guard let (config, logger) = ServiceStartup.configure("publisher", common: \.common, load: {
            try PublisherConfig.load(environment: environment)
        }) else { return 2 }
        logger.info("publisher starting", metadata: [
            "pools": "\(config.pools.pools.map(\.name))", "lease_owner": "\(config.dispatch.leaseOwner)",
            "config": "\(ServiceStartup.describe(config.effective))",
        ])
        let store: JobStore
        do {
            store = try await JobStore.open(
                databaseURL: config.databaseURL, poolSize: config.databasePoolSize, migrate: config.migrate,
                maxAttempts: config.pools.pools.map(\.maxAttempts).max() ?? 5, logger: logger)
        } catch {
            logger.critical("cannot open the job store", metadata: ["error": "\(error)"])
            return 1
        }
        let registry = MetricsRegistry()
        let client = HTTPClient()
        let leader = PostgresLeaderLock(configuration: PostgresConfiguration(connectionString: config.databaseURL), logger: logger)
        let service = PublisherService(
            pools: config.pools, store: store,
            orchestrator: HTTPOrchestratorClient(transport: client, token: config.common.internalToken, timeout: config.orchestratorTimeout),
            leader: leader, token: config.common.internalToken, dispatch: config.dispatch, reconcile: config.reconcile,
            metrics: PublisherMetrics(registry: registry), logger: logger)
        var router = Router()
        service.install(into: &router)
        CommonRoutes.install(into: &router, metrics: registry, checks: [
            ReadinessCheck(name: "postgres") {
                do {
                    try await store.ping()
                    return nil
                } catch {
                    return "unreachable"
                }
            }
        ])
        return await ServiceRunner.run(
            name: "publisher", config: config.common, router: router, metrics: registry, logger: logger,
            environment: environment, background: service.background,
            onShutdown: {
                await leader.release()
                client.shutdown()
                store.pool.shutdown()
            })
    }
}

import Foundation
import GitHub
import HTTP
import HTTPClient
import JobStore
import Logging
import RunwayKit

/// Wires the Producer: configuration → store → webhook route, common routes, Publisher
/// notifier and the redelivery sweep → `ServiceRunner`.
public enum ProducerService {
    /// Runs the Producer until SIGTERM/SIGINT; returns the exit code (2 for bad configuration).
    public static func main(environment: [String: String]) async -> Int32 {
        guard let (config, logger) = ServiceStartup.configure("producer", common: \.common, load: {
            try ProducerConfig.load(environment: environment)
        }) else { return 2 }
        logger.info("producer starting", metadata: [
            "pools": "\(config.pools.pools.map(\.name))", "publisher_url": "\(config.publisherURL ?? "-")",
            "webhook_secrets": "\(config.webhookSecrets.count)", "redelivery_sweep": "\(config.redeliveryInterval != nil)",
            "config": "\(ServiceStartup.describe(config.effective))",
        ])
        let store: JobStore
        do {
            store = try await JobStore.open(databaseURL: config.databaseURL, poolSize: config.databasePoolSize,
                                            migrate: config.migrate, logger: logger)
        } catch {
            logger.critical("cannot open the job store", metadata: ["error": "\(error)"])
            return 1
        }
        let registry = MetricsRegistry()
        let metrics = ProducerMetrics(registry)
        let client = HTTPClient()
        let notifier = PublisherNotifier(publisherURL: config.publisherURL, token: config.common.internalToken,
                                         transport: client, timeout: config.notifyTimeout, metrics: metrics, logger: logger)
        let handler = WebhookHandler(verifier: WebhookVerifier(secrets: config.webhookSecrets), store: store,
                                     pools: config.pools, notifier: notifier, metrics: metrics, logger: logger)
        var router = Router()
        router.post("/webhook", bodyLimit: config.webhookMaxBytes) { request in await handler.handle(request) }
        CommonRoutes.install(into: &router, metrics: registry, checks: [
            ReadinessCheck(name: "postgres") {
                do {
                    try await store.ping()
                    return nil
                } catch {
                    return "unreachable"
                }
            },
        ])
        var background: [@Sendable () async -> Void] = [{ await notifier.run() }]
        if let interval = config.redeliveryInterval, let credentials = config.githubApp {
            let app = GitHubApp(credentials: credentials, transport: client, logger: logger)
            var sweep = RedeliverySweep(source: app, store: store, metrics: metrics, logger: logger)
            sweep.interval = interval
            background.append { [sweep] in await sweep.run() }
        }
        return await ServiceRunner.run(
            name: "producer", config: config.common, router: router, metrics: registry, logger: logger,
            environment: environment, background: background,
            onShutdown: {
                notifier.finish()
                client.shutdown()
                store.pool.shutdown()
            })
    }
}

import HTTP
import Logging
import RunwayKit

/// The Publisher assembled: dispatcher, reconciler and admin API over a store and Orchestrator
/// client. `main` builds one from configuration; tests build several on one database.
public final class PublisherService: Sendable {
    /// The dispatch loop.
    public let dispatcher: Dispatcher
    /// The reconciler (acts only while leader).
    public let reconciler: Reconciler
    /// The HTTP endpoints.
    public let admin: AdminAPI
    /// The service's metrics.
    public let metrics: PublisherMetrics
    /// `GET /`, when the store can answer status queries.
    public let statusPage: StatusPage?

    /// Wires the parts; `route` re-routes jobs whose pool disappeared from the pools file.
    /// The status page reads `status`, or the store itself when it is a `StatusSource` (the
    /// `JobStore` is); without either, `GET /` is not served.
    public init(
        pools: PoolsConfig, store: any DispatchStore, orchestrator: any OrchestratorAPI, leader: any LeaderLock,
        token: String?, dispatch: Dispatcher.Settings = .init(), reconcile: Reconciler.Settings = .init(),
        metrics: PublisherMetrics = PublisherMetrics(), status: (any StatusSource)? = nil, logger: Logger
    ) {
        let limits = pools.pools.map(PoolLimits.init(pool:))
        let dispatcher = Dispatcher(pools: limits, store: store, orchestrator: orchestrator, settings: dispatch, metrics: metrics, logger: logger)
        let reconciler = Reconciler(
            pools: limits, store: store, orchestrator: orchestrator, leader: leader,
            route: { labels in
                switch pools.route(labels: labels) {
                case .pool(let pool): .pool(pool.name)
                case .ignored: .unroutable(reason: "labels are GitHub-hosted")
                case .unroutable(let reason): .unroutable(reason: reason)
                }
            },
            onRequeue: { await dispatcher.notify() }, settings: reconcile, metrics: metrics, logger: logger)
        self.dispatcher = dispatcher
        self.reconciler = reconciler
        self.metrics = metrics
        self.statusPage = (status ?? store as? any StatusSource).map { source in
            StatusPage(source: source, pools: pools.pools.map(StatusPage.PoolInfo.init(pool:)), logger: logger)
        }
        self.admin = AdminAPI(store: store, pools: limits, token: token) { _ in
            await dispatcher.notify()
            await reconciler.notify()
        }
    }

    /// Adds `POST /v1/notify`, `GET /v1/jobs`, `GET /v1/jobs/:id`, `GET /v1/pools` and the
    /// status page `GET /` (no token: read-only, see docs/decisions/statuspage.md).
    public func install(into router: inout Router) {
        let admin = self.admin
        if let statusPage {
            router.get("/") { await statusPage.serve($0) }
        }
        router.post("/v1/notify", bodyLimit: 16 * 1024) { try await admin.notify($0) }
        router.get("/v1/jobs") { try await admin.listJobs($0) }
        router.get("/v1/jobs/:id") { try await admin.getJob($0) }
        router.get("/v1/pools") { try await admin.listPools($0) }
    }

    /// The long-running loops, to run until shutdown.
    public var background: [@Sendable () async -> Void] {
        let dispatcher = self.dispatcher
        let reconciler = self.reconciler
        return [{ await dispatcher.run() }, { await reconciler.run() }]
    }
}

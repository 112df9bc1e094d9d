import HTTP
import RunwayKit

/// The Orchestrator's routes: the runner API plus `/healthz`, `/readyz`, `/metrics`.
public enum OrchestratorRoutes {
    /// A router serving `api` and the common routes with `checks` behind `/readyz`.
    public static func router(api: OrchestratorAPI, metrics: MetricsRegistry, checks: [ReadinessCheck]) -> Router {
        var router = Router()
        router.post("/v1/runners", bodyLimit: OrchestratorAPI.bodyLimit) { request in await api.launch(request) }
        router.delete("/v1/runners/:name") { request in await api.tearDown(request) }
        router.get("/v1/runners") { request in await api.list(request) }
        CommonRoutes.install(into: &router, metrics: metrics, checks: checks)
        return router
    }
}

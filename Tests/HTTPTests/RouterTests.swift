import HTTP
import Testing

@Suite("Router")
struct RouterTests {
    static func router() -> Router {
        var router = Router()
        router.get("/v1/jobs") { _ in .text("list") }
        router.get("/v1/jobs/:id") { _ in .text("one") }
        router.delete("/v1/jobs/:id") { _ in .text("gone") }
        router.get("/v1/jobs/stats") { _ in .text("stats") }
        router.post("/v1/runners", bodyLimit: 10) { _ in .text("made") }
        return router
    }

    func pattern(_ match: Router.Match) -> String? {
        if case .found(let route, _) = match { return route.pattern }
        return nil
    }

    @Test func literalAndParameterRoutes() {
        let router = Self.router()
        #expect(pattern(router.match(method: "GET", path: "/v1/jobs")) == "/v1/jobs")
        #expect(pattern(router.match(method: "GET", path: "/v1/jobs/stats")) == "/v1/jobs/stats")
        guard case .found(let route, let parameters) = router.match(method: "GET", path: "/v1/jobs/a%20b") else {
            Issue.record("no match")
            return
        }
        #expect(route.pattern == "/v1/jobs/:id")
        #expect(parameters == ["id": "a b"])
    }

    @Test func unknownPathIsNotFound() {
        let router = Self.router()
        for path in ["/", "/v1", "/v1/jobs/1/extra", "/v1/jobs/", "/v2/jobs"] {
            guard case .notFound = router.match(method: "GET", path: path) else {
                Issue.record("\(path) should be 404")
                continue
            }
        }
    }

    @Test func wrongMethodListsAllowedOnes() {
        guard case .methodNotAllowed(let allowed) = Self.router().match(method: "PUT", path: "/v1/jobs/9") else {
            Issue.record("expected 405")
            return
        }
        #expect(allowed == ["DELETE", "GET", "HEAD"])
    }

    @Test func headFallsBackToGet() {
        #expect(pattern(Self.router().match(method: "HEAD", path: "/v1/jobs")) == "/v1/jobs")
    }

    @Test func badPercentEncodingInAParameter() {
        guard case .badPath = Self.router().match(method: "GET", path: "/v1/jobs/%G1") else {
            Issue.record("expected badPath")
            return
        }
    }

    @Test func bodyLimitIsKeptPerRoute() {
        guard case .found(let route, _) = Self.router().match(method: "POST", path: "/v1/runners") else {
            Issue.record("no match")
            return
        }
        #expect(route.bodyLimit == 10)
    }

    @Test func copiesAreIndependent() {
        let original = Self.router()
        var copy = original
        copy.get("/extra") { _ in .text("x") }
        #expect(pattern(copy.match(method: "GET", path: "/extra")) == "/extra")
        guard case .notFound = original.match(method: "GET", path: "/extra") else {
            Issue.record("the original router changed")
            return
        }
    }
}

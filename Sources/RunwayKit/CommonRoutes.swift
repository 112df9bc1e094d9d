import HTTP

/// A named dependency check for `/readyz`: returns nil when healthy, else a short problem text
/// (safe to show: no secrets, no connection strings).
public struct ReadinessCheck: Sendable {
    public var name: String
    public var check: @Sendable () async -> String?

    public init(name: String, check: @escaping @Sendable () async -> String?) {
        self.name = name
        self.check = check
    }
}

/// `/healthz`, `/readyz` and `/metrics`, the same on every service.
public enum CommonRoutes {
    /// Adds the three routes to `router`.
    public static func install(into router: inout Router, metrics: MetricsRegistry, checks: [ReadinessCheck]) {
        router.get("/healthz") { _ in
            .json(["status": "ok"])
        }
        router.get("/readyz") { _ in
            await readiness(checks)
        }
        router.get("/metrics") { _ in
            .text(metrics.render(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
    }

    /// Runs every check concurrently; 200 when all pass, else 503 naming each failing check.
    static func readiness(_ checks: [ReadinessCheck]) async -> HTTPResponse {
        let results = await withTaskGroup(of: (String, String?).self) { group in
            for check in checks {
                group.addTask { (check.name, await check.check()) }
            }
            var results: [(String, String?)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }
        }
        let failing = results.filter { $0.1 != nil }
        if failing.isEmpty {
            return .json(ReadyBody(status: "ready", checks: Dictionary(uniqueKeysWithValues: results.map { ($0.0, "ok") })))
        }
        let message = failing.map { "\($0.0): \($0.1 ?? "")" }.joined(separator: "; ")
        return .error(status: 503, code: "not_ready", message: message)
    }

    struct ReadyBody: Encodable {
        var status: String
        var checks: [String: String]
    }
}

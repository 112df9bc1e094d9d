import Foundation
import HTTP
import Logging
import Synchronization

/// An Orchestrator test double on the project's own HTTP server: `POST /v1/runners` records the
/// launch (or fails with 500 for a share of calls), `DELETE` confirms, `GET` lists.
final class OrchestratorDouble: Sendable {
    struct State: Sendable {
        /// Successful launches per runner name (201 answers).
        var launches: [String: Int] = [:]
        var failures = 0
        var calls = 0
        var deleted: [String] = []
        var callTimes: [Double] = []
    }
    let state = Mutex(State())
    let failureRate: Double
    private let server: HTTPServer
    let url: String

    init(failureRate: Double = 0) throws {
        self.failureRate = failureRate
        let box = Mutex<OrchestratorDouble?>(nil)
        var router = Router()
        router.post("/v1/runners") { request in
            guard let double = box.withLock({ $0 }) else { return .error(status: 503, code: "starting", message: "starting") }
            return double.launch(request)
        }
        router.delete("/v1/runners/:name") { request in
            guard let double = box.withLock({ $0 }) else { return .error(status: 503, code: "starting", message: "starting") }
            double.state.withLock { $0.deleted.append(request.pathParameters["name"] ?? "") }
            return HTTPResponse(status: 202)
        }
        router.get("/v1/runners") { _ in
            guard let double = box.withLock({ $0 }) else { return .error(status: 503, code: "starting", message: "starting") }
            let names = double.state.withLock { Array($0.launches.keys) }
            return .json(["runners": names.map { ["runner_name": $0, "provider_id": "i-\($0)", "state": "running"] }])
        }
        var configuration = HTTPServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        server = HTTPServer(configuration: configuration, router: router, logger: Logger(label: "test.orchestrator"))
        let port = try server.start()
        url = "http://127.0.0.1:\(port)"
        box.withLock { $0 = self }
    }

    private func launch(_ request: HTTPRequest) -> HTTPResponse {
        struct Body: Decodable { var runner_name: String; var job_id: Int64 }
        guard let body = try? JSONDecoder().decode(Body.self, from: Data(request.body)) else {
            return .error(status: 400, code: "invalid_body", message: "bad body")
        }
        let fail = Double.random(in: 0..<1) < failureRate
        return state.withLock { s in
            s.calls += 1
            s.callTimes.append(Date().timeIntervalSince1970)
            if fail {
                s.failures += 1
                return .error(status: 500, code: "internal", message: "injected failure")
            }
            s.launches[body.runner_name, default: 0] += 1
            return .json(["runner_name": body.runner_name, "provider_id": "i-\(body.job_id)"], status: 201)
        }
    }

    func stop() async { await server.shutdown() }
}

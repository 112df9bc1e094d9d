import HTTP
import Logging
import RunwayKit

/// The Orchestrator's HTTP endpoints (internal bearer token on each), as plain handlers so they
/// are testable without a server.
public struct OrchestratorAPI: Sendable {
    let service: RunnerService
    let token: String?
    let logger: Logger

    /// Largest accepted `POST /v1/runners` body.
    public static let bodyLimit = 64 * 1024

    /// Creates the handlers.
    public init(service: RunnerService, token: String?, logger: Logger) {
        self.service = service
        self.token = token
        self.logger = logger
    }

    /// `POST /v1/runners` → 201 `{"runner_name", "provider_id", "detail"}`; the same answer when repeated.
    public func launch(_ request: HTTPRequest) async -> HTTPResponse {
        await handle(request) { () async throws(HTTPError) in
            let body = try request.decodeJSON(LaunchRequest.self)
            do throws(OrchestratorError) {
                return .json(try await service.launch(body), status: 201)
            } catch {
                throw edge(error, request)
            }
        }
    }

    /// `DELETE /v1/runners/{name}[?job_finished=true&owner=&repository=&installation_id=]` → 202,
    /// also when nothing was left. The query's owner/installation locate a registration the
    /// provider no longer knows about.
    public func tearDown(_ request: HTTPRequest) async -> HTTPResponse {
        await handle(request) { () async throws(HTTPError) in
            guard let name = request.pathParameters["name"], !name.isEmpty else { throw .badRequest("runner name missing") }
            let query = request.queryParameters
            let finished = ["true", "1", "yes"].contains(query["job_finished"]?.lowercased() ?? "")
            var fallback: RunnerTarget?
            if let owner = query["owner"], !owner.isEmpty {
                guard let installation = query["installation_id"].flatMap({ Int64($0) }), installation > 0 else {
                    throw .badRequest("installation_id is required with owner", code: "invalid_query")
                }
                if let pool = service.pool(ofRunner: name) {
                    fallback = RunnerTarget(
                        scope: pool.scope, owner: owner, repository: query["repository"], enterprise: pool.enterprise,
                        installationID: installation)
                }
            }
            do throws(OrchestratorError) {
                let result = try await service.tearDown(runnerName: name, jobFinished: finished, fallbackTarget: fallback)
                return .json(TearDownBody(
                    runnerName: name, removedFromProvider: result.removedFromProvider,
                    removedRegistration: result.removedRegistration), status: 202)
            } catch {
                throw edge(error, request)
            }
        }
    }

    /// `GET /v1/runners?pool=` → 200 `{"runners": [...]}` (every served pool when `pool` is absent).
    public func list(_ request: HTTPRequest) async -> HTTPResponse {
        await handle(request) { () async throws(HTTPError) in
            let pool = request.queryParameters["pool"].flatMap { $0.isEmpty ? nil : $0 }
            do throws(OrchestratorError) {
                let runners = try await service.list(pool: pool)
                return HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: RunnerListJSON.encode(runners))
            } catch {
                throw edge(error, request)
            }
        }
    }

    struct TearDownBody: Encodable {
        var runnerName: String
        var removedFromProvider: Bool
        var removedRegistration: Bool
        enum CodingKeys: String, CodingKey {
            case runnerName = "runner_name", removedFromProvider = "removed_from_provider"
            case removedRegistration = "removed_registration"
        }
    }

    private func handle(_ request: HTTPRequest, _ body: () async throws(HTTPError) -> HTTPResponse) async -> HTTPResponse {
        do {
            try InternalAuth.check(request, token: token)
            return try await body()
        } catch {
            return error.response
        }
    }

    private func edge(_ error: OrchestratorError, _ request: HTTPRequest) -> HTTPError {
        let level: Logger.Level = error.kind == .internal ? .error : .warning
        logger.log(level: level, "request failed", metadata: [
            "request.id": "\(request.requestID)", "trace.id": "\(request.trace.traceID)",
            "error.code": "\(error.code)", "error.message": "\(error.message)", "http.status": "\(error.status)",
        ])
        return error.httpError
    }
}

import Foundation

extension GitHubApp {
    /// Registers a just-in-time runner (`POST {scope}/actions/runners/generate-jitconfig`),
    /// paced to stay under GitHub's registration cap.
    ///
    /// A name conflict (409, or 422 "already exists") means an earlier attempt with the same
    /// deterministic name registered already: the old registration is looked up and, when it
    /// is not running a job, deleted; then the config is generated again. A busy namesake is
    /// reported as `.conflict` (the job it runs must not be killed).
    public func registerJITRunner(_ request: JITConfigRequest, scope: RunnerScope,
                                  installationID: Int64) async throws(GitHubError) -> JITRunnerConfig {
        var conflicts = 0
        while true {
            do {
                return try await generateJITConfig(request, scope: scope, installationID: installationID)
            } catch let error where Self.isNameConflict(error) && conflicts < 2 {
                conflicts += 1
                logger.info("runner name already registered; replacing the old registration", metadata: [
                    "runner.name": "\(request.name)", "github.scope": "\(scope)",
                ])
                guard let old = try await runner(named: request.name, scope: scope, installationID: installationID) else {
                    continue
                }
                if old.busy {
                    throw GitHubError(code: .conflict, status: error.status,
                                      message: "runner name \(request.name) is registered to a busy runner (id \(old.id))",
                                      requestID: error.requestID, operation: error.operation)
                }
                _ = try await deleteRunner(id: old.id, scope: scope, installationID: installationID)
            }
        }
    }

    /// One `generate-jitconfig` call, paced; no conflict handling.
    public func generateJITConfig(_ request: JITConfigRequest, scope: RunnerScope,
                                  installationID: Int64) async throws(GitHubError) -> JITRunnerConfig {
        let template = "POST \(scope.template)/actions/runners/generate-jitconfig"
        let problems = request.problems
        guard problems.isEmpty else {
            throw GitHubError(code: .invalidRequest, message: problems.joined(separator: "; "), operation: template)
        }
        guard let prefix = scope.pathPrefix else {
            throw GitHubError(code: .invalidRequest, message: "invalid \(scope.template) name", operation: template)
        }
        let body: [UInt8]
        do {
            body = Array(try JSONEncoder().encode(request))
        } catch {
            throw GitHubError(code: .invalidRequest, message: "cannot encode the JIT request", operation: template)
        }
        try await jitPacer.acquire()
        let response = try await send(APICall(method: "POST", path: prefix + "/actions/runners/generate-jitconfig",
                                              body: body, template: template), auth: .installation(installationID))
        let decoded = try decode(JITResponse.self, from: response, template: template)
        guard !decoded.encoded_jit_config.isEmpty else {
            throw GitHubError(code: .malformedResponse, status: response.status, message: "empty encoded_jit_config",
                              requestID: response.headers["x-github-request-id"], operation: template)
        }
        return JITRunnerConfig(runner: decoded.runner, encodedJITConfig: decoded.encoded_jit_config)
    }

    /// The runner registered under `name` in `scope`, or nil.
    public func runner(named name: String, scope: RunnerScope, installationID: Int64) async throws(GitHubError) -> Runner? {
        // `name=` filters server-side on github.com; the exact-match check covers servers that ignore it.
        try await runners(scope: scope, installationID: installationID, name: name).first { $0.name == name }
    }

    /// Every runner in `scope` (all pages), optionally filtered by exact `name`.
    public func runners(scope: RunnerScope, installationID: Int64, name: String? = nil) async throws(GitHubError) -> [Runner] {
        var all: [Runner] = []
        var page = 1
        while true {
            let current = try await runnersPage(scope: scope, installationID: installationID, name: name, page: page)
            all += current.runners
            guard current.hasNextPage, !current.runners.isEmpty, page < 1000 else { return all }
            page += 1
        }
    }

    /// One page of `GET {scope}/actions/runners`.
    public func runnersPage(scope: RunnerScope, installationID: Int64, name: String? = nil,
                            page: Int = 1) async throws(GitHubError) -> RunnerPage {
        let template = "GET \(scope.template)/actions/runners"
        guard let prefix = scope.pathPrefix else {
            throw GitHubError(code: .invalidRequest, message: "invalid \(scope.template) name", operation: template)
        }
        var query = [("per_page", String(configuration.perPage)), ("page", String(page))]
        if let name { query.insert(("name", name), at: 0) }
        let response = try await send(APICall(method: "GET", path: prefix + "/actions/runners", query: query, template: template),
                                      auth: .installation(installationID))
        let decoded = try decode(RunnerList.self, from: response, template: template)
        return RunnerPage(totalCount: decoded.total_count, runners: decoded.runners,
                          hasNextPage: LinkHeader.url(response.headers["link"], rel: "next") != nil)
    }

    /// `DELETE {scope}/actions/runners/{id}`: 204 is `.deleted`, 404 `.alreadyGone`. A busy
    /// runner answers 422 (`.validationFailed`).
    public func deleteRunner(id: Int64, scope: RunnerScope, installationID: Int64) async throws(GitHubError) -> RunnerDeletion {
        let template = "DELETE \(scope.template)/actions/runners/{id}"
        guard let prefix = scope.pathPrefix else {
            throw GitHubError(code: .invalidRequest, message: "invalid \(scope.template) name", operation: template)
        }
        do {
            _ = try await send(APICall(method: "DELETE", path: prefix + "/actions/runners/\(id)", template: template),
                               auth: .installation(installationID))
            return .deleted
        } catch where error.code == .notFound {
            return .alreadyGone
        }
    }

    /// Removes the registration named `name`, if any (the Orchestrator's tear-down path).
    public func deleteRunner(named name: String, scope: RunnerScope, installationID: Int64) async throws(GitHubError) -> RunnerDeletion {
        guard let found = try await runner(named: name, scope: scope, installationID: installationID) else {
            return .alreadyGone
        }
        return try await deleteRunner(id: found.id, scope: scope, installationID: installationID)
    }

    static func isNameConflict(_ error: GitHubError) -> Bool {
        if error.code == .conflict { return true }
        return error.code == .validationFailed && error.message.lowercased().contains("already exists")
    }

    private struct JITResponse: Decodable {
        var runner: Runner
        var encoded_jit_config: String
    }

    private struct RunnerList: Decodable {
        var total_count: Int
        var runners: [Runner]
    }
}

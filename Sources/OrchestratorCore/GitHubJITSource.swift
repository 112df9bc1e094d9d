import GitHub
import RunwayKit

/// `JITSource` over the GitHub module's App client.
public struct GitHubJITSource: JITSource {
    let app: GitHubApp

    /// Creates the adapter.
    public init(app: GitHubApp) {
        self.app = app
    }

    public func generate(name: String, labels: [String], runnerGroupID: Int, target: RunnerTarget) async throws -> JITConfig {
        let scope = try Self.scope(target)
        do {
            let config = try await app.registerJITRunner(
                JITConfigRequest(name: name, runnerGroupID: Int64(runnerGroupID), labels: labels),
                scope: scope, installationID: target.installationID)
            return JITConfig(runnerID: config.runner.id, encoded: config.encodedJITConfig)
        } catch {
            throw Self.jitError(error)
        }
    }

    public func find(name: String, target: RunnerTarget) async throws -> RegisteredRunner? {
        let scope = try Self.scope(target)
        do {
            guard let runner = try await app.runner(named: name, scope: scope, installationID: target.installationID) else {
                return nil
            }
            return RegisteredRunner(id: runner.id, name: runner.name, busy: runner.busy, status: runner.status.rawValue)
        } catch {
            throw Self.jitError(error)
        }
    }

    public func delete(id: Int64, target: RunnerTarget) async throws {
        let scope = try Self.scope(target)
        do {
            _ = try await app.deleteRunner(id: id, scope: scope, installationID: target.installationID)
        } catch {
            throw Self.jitError(error)
        }
    }

    /// The GitHub scope of a target; a repo-scoped target without a repository is a bad request.
    static func scope(_ target: RunnerTarget) throws(JITError) -> GitHub.RunnerScope {
        switch target.scope {
        case .org:
            return .organization(target.owner)
        case .repo:
            guard let repository = target.repository, !repository.isEmpty else {
                throw JITError(.rejected, message: "a repo-scoped runner needs the repository")
            }
            return .repository(owner: target.owner, name: repository)
        case .enterprise:
            guard let slug = target.enterprise else { throw JITError(.rejected, message: "the pool names no enterprise") }
            return .enterprise(slug)
        }
    }

    /// Retryable GitHub failures (rate limits, 5xx, transport) are "unavailable"; the rest "rejected".
    static func jitError(_ error: GitHubError) -> JITError {
        let retryAfter = error.retryAfter.map { max(1, Int($0.components.seconds)) }
        let message = "\(error.operation ?? "GitHub"): \(error.message)"
        return JITError(error.isRetryable ? .unavailable : .rejected, status: error.status, message: message, retryAfter: retryAfter)
    }
}

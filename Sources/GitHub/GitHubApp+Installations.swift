import Foundation

extension GitHubApp {
    /// The installation of the App on a repository (`GET /repos/{owner}/{repo}/installation`).
    public func installation(owner: String, repository: String) async throws(GitHubError) -> Installation {
        guard let prefix = RunnerScope.repository(owner: owner, name: repository).pathPrefix else {
            throw GitHubError(code: .invalidRequest, message: "invalid repository name")
        }
        let template = "GET /repos/{owner}/{repo}/installation"
        let response = try await send(APICall(method: "GET", path: prefix + "/installation", template: template), auth: .app)
        return try decode(Installation.self, from: response, template: template)
    }

    /// The installation of the App on an organisation (`GET /orgs/{org}/installation`), or on
    /// a user account (`GET /users/{username}/installation`) when `isUser` is set.
    public func installation(owner: String, isUser: Bool = false) async throws(GitHubError) -> Installation {
        guard !owner.isEmpty, !owner.contains("/") else {
            throw GitHubError(code: .invalidRequest, message: "invalid owner name")
        }
        let template = isUser ? "GET /users/{username}/installation" : "GET /orgs/{org}/installation"
        let path = (isUser ? "/users/" : "/orgs/") + PathEncoding.encode(owner) + "/installation"
        let response = try await send(APICall(method: "GET", path: path, template: template), auth: .app)
        return try decode(Installation.self, from: response, template: template)
    }

    /// The installation id for a job that carries none: looked up by repository when given,
    /// else by organisation and then by user account; remembered per owner for 10 minutes
    /// (an App has one installation per account). Not-found answers are not remembered.
    public func installationID(owner: String, repository: String? = nil) async throws(GitHubError) -> Int64 {
        let key = owner.lowercased()
        if let cached = await installationIDs.get(key, now: clock.now()) { return cached }
        let found: Installation
        if let repository {
            found = try await installation(owner: owner, repository: repository)
        } else {
            do {
                found = try await installation(owner: owner)
            } catch where error.code == .notFound {
                found = try await installation(owner: owner, isUser: true)
            }
        }
        await installationIDs.set(key, id: found.id, now: clock.now())
        return found.id
    }
}

/// Installation ids by lower-cased account login, each kept for `ttl`.
actor InstallationIDCache {
    private var entries: [String: (id: Int64, storedAt: Date)] = [:]
    private let ttl: TimeInterval = 600

    func get(_ key: String, now: Date) -> Int64? {
        guard let entry = entries[key], now.timeIntervalSince(entry.storedAt) < ttl else { return nil }
        return entry.id
    }

    func set(_ key: String, id: Int64, now: Date) {
        entries[key] = (id, now)
    }
}

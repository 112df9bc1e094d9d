import Foundation

/// Caches installation access tokens per installation and refreshes them before they expire.
///
/// Single-flight: however many callers ask at once, one mint request per installation is in
/// flight; the others await its result. A token is reused until `refreshMargin` before its
/// `expires_at` (GitHub tokens live one hour). Failures are not cached.
actor InstallationTokenCache {
    typealias Fetch = @Sendable (Int64) async throws(GitHubError) -> InstallationToken

    private let refreshMargin: Duration
    private let now: @Sendable () -> Date
    private var tokens: [Int64: InstallationToken] = [:]
    private var inFlight: [Int64: (generation: Int, task: Task<InstallationToken, any Error>)] = [:]
    private var generation = 0

    init(refreshMargin: Duration, now: @escaping @Sendable () -> Date) {
        self.refreshMargin = refreshMargin
        self.now = now
    }

    /// A token for `installationID` valid for at least `refreshMargin`; `fetch` mints one when
    /// needed (only the first of concurrent callers' `fetch` runs).
    func token(for installationID: Int64, fetch: @escaping Fetch) async throws(GitHubError) -> InstallationToken {
        if let cached = tokens[installationID],
            cached.expiresAt.timeIntervalSince(now()) > refreshMargin.timeInterval {
            return cached
        }
        let entry: (generation: Int, task: Task<InstallationToken, any Error>)
        if let running = inFlight[installationID] {
            entry = running
        } else {
            generation += 1
            entry = (generation, Task { try await fetch(installationID) })
            inFlight[installationID] = entry
        }
        do {
            let token = try await entry.task.value
            finish(installationID, generation: entry.generation, token: token)
            return token
        } catch {
            finish(installationID, generation: entry.generation, token: nil)
            throw (error as? GitHubError)
                ?? GitHubError(code: .transport, message: "installation token request was cancelled")
        }
    }

    /// Forgets the cached token (after GitHub answered 401 with it).
    func invalidate(_ installationID: Int64) {
        tokens[installationID] = nil
    }

    private func finish(_ id: Int64, generation: Int, token: InstallationToken?) {
        guard inFlight[id]?.generation == generation else { return }
        inFlight[id] = nil
        if let token { tokens[id] = token }
    }
}

extension Duration {
    /// The duration in seconds as a `TimeInterval`.
    var timeInterval: TimeInterval {
        let c = components
        return TimeInterval(c.seconds) + TimeInterval(c.attoseconds) / 1e18
    }
}

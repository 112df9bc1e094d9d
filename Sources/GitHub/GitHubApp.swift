import Foundation
import HTTPClient
import Logging

/// A GitHub App client: App JWTs, installation tokens, JIT runner registration, runner
/// clean-up and webhook deliveries, over any `HTTPTransport`.
///
/// Every call sends `Accept: application/vnd.github+json`, `X-GitHub-Api-Version: 2022-11-28`
/// and a `User-Agent`; tracks the rate-limit headers; waits out short rate limits and answers
/// `GitHubError.rateLimited` with `retryAfter` for long ones; retries idempotent calls on 5xx
/// and transport errors with jittered backoff. Tokens, JWTs and JIT configs are never logged.
public final class GitHubApp: Sendable {
    /// Tuning knobs; every default is what production uses.
    public struct Configuration: Sendable {
        /// `User-Agent` header (default `runway-github-app`); GitHub rejects requests without one.
        public var userAgent: String = "runway-github-app"
        /// Whole-request timeout (default 10 s).
        public var requestTimeout: Duration = .seconds(10)
        /// Attempts per call including the first (default 3).
        public var maxAttempts: Int = 3
        /// Base of the jittered backoff between attempts (default 200 ms).
        public var retryBaseDelay: Duration = .milliseconds(200)
        /// Longest rate-limit wait done in place (default 20 s); longer ones are returned to the
        /// caller as `.rateLimited` with `retryAfter`.
        public var maxRateLimitWait: Duration = .seconds(20)
        /// Refresh installation tokens this long before `expires_at` (default 5 minutes).
        public var tokenRefreshMargin: Duration = .seconds(300)
        /// JIT registrations per second (default 2.7 ≈ 9,700/h, under GitHub's ~10,000/h per App).
        public var jitRatePerSecond: Double = 2.7
        /// JIT registrations allowed in a burst (default 20).
        public var jitBurst: Int = 20
        /// Longest wait for a JIT pacing token before answering `.rateLimited` (default 10 s).
        public var jitMaxWait: Duration = .seconds(10)
        /// Page size for list calls (default 100, GitHub's maximum).
        public var perPage: Int = 100

        /// The defaults.
        public init() {}
    }

    /// How a call authenticates.
    enum Auth: Sendable {
        /// App JWT (`/app/...` and installation lookups).
        case app
        /// Installation access token.
        case installation(Int64)

        var scope: String {
            switch self {
            case .app: return "app"
            case .installation(let id): return "installation:\(id)"
            }
        }
    }

    let apiURL: String
    let configuration: Configuration
    let transport: any HTTPTransport
    let jwtSigner: AppJWTSigner
    let clock: GitHubClock
    let logger: Logger
    let rateLimits = RateLimitTracker()
    let jitPacer: JITPacer
    let tokenCache: InstallationTokenCache
    let installationIDs = InstallationIDCache()

    /// Creates a client. `clock` is injectable for tests (JWT claims, token expiry, waits).
    public init(credentials: GitHubAppCredentials, transport: any HTTPTransport,
                configuration: Configuration = Configuration(), clock: GitHubClock = .system,
                logger: Logger = Logger(label: "runway.github")) {
        self.apiURL = credentials.apiURL
        self.configuration = configuration
        self.transport = transport
        self.jwtSigner = AppJWTSigner(issuer: credentials.issuer, signer: credentials.signer)
        self.clock = clock
        self.logger = logger
        self.jitPacer = JITPacer(ratePerSecond: configuration.jitRatePerSecond, burst: configuration.jitBurst,
                                 maxWait: configuration.jitMaxWait, clock: clock)
        self.tokenCache = InstallationTokenCache(refreshMargin: configuration.tokenRefreshMargin, now: clock.now)
    }

    /// Rate-limit figures per credential and resource, for `/metrics`
    /// (e.g. `github_rate_limit_remaining{scope="installation:42",resource="core"}`).
    public func rateLimitSnapshots() async -> [RateLimitSnapshot] {
        await rateLimits.all()
    }

    /// JIT registrations that may start now without waiting (negative when callers queue),
    /// for `/metrics` (e.g. `github_jit_budget`).
    public func jitBudget() async -> Double {
        await jitPacer.available()
    }

    /// A fresh App JWT (for callers that need one directly; normally internal).
    public func appJWT() throws(GitHubError) -> AppJWT {
        try jwtSigner.token(now: clock.now())
    }

    /// A valid installation access token, from the cache or minted now (single-flight).
    public func installationToken(for installationID: Int64) async throws(GitHubError) -> InstallationToken {
        try await tokenCache.token(for: installationID) { id throws(GitHubError) in
            try await self.mintInstallationToken(id)
        }
    }

    /// `POST /app/installations/{id}/access_tokens` (JWT), bypassing the cache.
    func mintInstallationToken(_ installationID: Int64) async throws(GitHubError) -> InstallationToken {
        let response = try await send(APICall(method: "POST", path: "/app/installations/\(installationID)/access_tokens",
                                              template: "POST /app/installations/{id}/access_tokens",
                                              idempotent: true), auth: .app)
        let token = try decode(InstallationToken.self, from: response, template: "POST /app/installations/{id}/access_tokens")
        logger.debug("minted installation token", metadata: [
            "github.installation": "\(installationID)", "github.token_expires_at": "\(GitHubDate.format(token.expiresAt))",
        ])
        return token
    }
}

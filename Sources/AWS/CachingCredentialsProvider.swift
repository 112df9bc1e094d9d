import Foundation
import Logging

/// Caches credentials from a source and refreshes them before they expire, single-flight:
/// concurrent callers during a refresh share one call to the source.
///
/// Credentials without an expiry are fetched once. When a refresh fails while the cached
/// credentials have not expired yet, those are returned (and the next call tries again).
public actor CachingCredentialsProvider: AWSCredentialsProvider {
    private let source: any AWSCredentialsProvider
    private let refreshMargin: TimeInterval
    private let now: @Sendable () -> Date
    private let logger: Logger
    private var cached: AWSCredentials?
    private var inFlight: Task<AWSCredentials, any Error>?

    /// Wraps `source`; refreshes `refreshMargin` seconds (default 5 minutes) before expiry.
    public init(source: any AWSCredentialsProvider, refreshMargin: TimeInterval = 300,
                logger: Logger = Logger(label: "runway.aws.credentials"), now: @escaping @Sendable () -> Date = { Date() }) {
        self.source = source
        self.refreshMargin = refreshMargin
        self.logger = logger
        self.now = now
    }

    public func credentials() async throws -> AWSCredentials {
        if let cached, !cached.expires(within: refreshMargin, of: now()) { return cached }
        if let inFlight { return try await inFlight.value }
        let source = self.source
        let task = Task { try await source.credentials() }
        inFlight = task
        defer { inFlight = nil }
        do {
            let fresh = try await task.value
            cached = fresh
            return fresh
        } catch {
            if let cached, !cached.expires(within: 0, of: now()) {
                logger.warning("credential refresh failed; using the cached credentials until they expire",
                               metadata: ["aws.error": "\((error as? AWSError)?.code.rawValue ?? "\(type(of: error))")"])
                return cached
            }
            throw error
        }
    }
}

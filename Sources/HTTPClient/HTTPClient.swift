import Foundation
import HTTP
import Logging

/// The libcurl implementation of `HTTPTransport`: one multi handle driven by one dedicated
/// thread (see docs/http-client.md), shared by every request of this client.
///
/// Connections are reused across requests; redirects are never followed unless a request sets
/// `maxRedirects`. Create one client per process (or per distinct configuration), share it, and
/// call `shutdown()` when done; deinit shuts down too.
public final class HTTPClient: HTTPTransport {
    /// Limits and defaults for every request of one client.
    public struct Configuration: Sendable {
        /// `User-Agent` sent when a request has none (default `runway/1 libcurl`).
        public var userAgent: String
        /// Most simultaneous connections to one host (default 16); further transfers to that host
        /// wait for a connection inside libcurl (`CURLMOPT_MAX_HOST_CONNECTIONS`).
        public var maxConnectionsPerHost: Int
        /// Most simultaneous connections in all (default 64, `CURLMOPT_MAX_TOTAL_CONNECTIONS`).
        public var maxTotalConnections: Int
        /// Idle connections kept open for reuse (default 32, `CURLMOPT_MAXCONNECTS`).
        public var maxIdleConnections: Int
        /// Largest response body accepted (default 16 MiB); a larger one fails the request with
        /// code `other` (and is not retried).
        public var maxResponseBodyBytes: Int
        /// Where retries are logged at debug level (default label `runway.http-client`). URLs are
        /// logged without their query string; headers and bodies never.
        public var logger: Logger

        /// Creates a configuration; each parameter's default is documented on its property.
        public init(
            userAgent: String = "runway/1 libcurl",
            maxConnectionsPerHost: Int = 16,
            maxTotalConnections: Int = 64,
            maxIdleConnections: Int = 32,
            maxResponseBodyBytes: Int = 16 << 20,
            logger: Logger = Logger(label: "runway.http-client")
        ) {
            self.userAgent = userAgent
            self.maxConnectionsPerHost = maxConnectionsPerHost
            self.maxTotalConnections = maxTotalConnections
            self.maxIdleConnections = maxIdleConnections
            self.maxResponseBodyBytes = maxResponseBodyBytes
            self.logger = logger
        }
    }

    /// This client's configuration.
    public let configuration: Configuration
    private let loop: CurlMultiLoop?

    /// Creates a client and starts its transfer thread.
    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
        self.loop = CurlMultiLoop(configuration)
    }

    deinit {
        loop?.shutdown()
    }

    /// Sends `request`, retrying per its `RetryPolicy`, and returns the final response whatever
    /// its status.
    ///
    /// Adds `User-Agent` and, when `TraceContext.current` is bound and the request has no
    /// `traceparent`, that context's `traceparent` (the current span becomes the callee's parent).
    /// Throws `HTTPClientError` when no response was obtained, `CancellationError` when the task
    /// was cancelled.
    public func execute(_ request: ClientRequest) async throws -> ClientResponse {
        guard let loop else {
            throw HTTPClientError(code: .other, message: CurlGlobal.problem ?? "libcurl could not allocate a multi handle")
        }
        let prepared = try PreparedRequest(
            request, userAgent: configuration.userAgent, trace: TraceContext.current,
            maxResponseBodyBytes: configuration.maxResponseBodyBytes)
        guard let policy = request.retry, policy.allowsRetry(of: request.method) else {
            return try await loop.perform(prepared)
        }
        var generator = SystemRandomNumberGenerator()
        var attempt = 1
        while true {
            let outcome: Result<ClientResponse, HTTPClientError>
            do {
                outcome = .success(try await loop.perform(prepared))
            } catch let error as HTTPClientError {
                outcome = .failure(error)
            }
            guard attempt < policy.maxAttempts,
                let delay = policy.delay(after: outcome, retry: attempt, using: &generator)
            else { return try outcome.get() }
            logRetry(prepared, outcome: outcome, attempt: attempt, delay: delay)
            try await Task.sleep(for: delay)
            attempt += 1
        }
    }

    /// Stops the transfer thread: running and later requests fail with code `shutdown`. Idempotent.
    public func shutdown() {
        loop?.shutdown()
    }

    private func logRetry(
        _ request: PreparedRequest, outcome: Result<ClientResponse, HTTPClientError>, attempt: Int, delay: Duration
    ) {
        var metadata: Logger.Metadata = [
            "http.method": .string(request.method),
            "http.url": .string(HTTPClientError.redacted(request.url)),
            "retry.attempt": .stringConvertible(attempt),
            "retry.delay_ms": .stringConvertible(Int(delay.seconds * 1000)),
        ]
        switch outcome {
        case .success(let response): metadata["http.status"] = .stringConvertible(response.status)
        case .failure(let error): metadata["error.code"] = .string(error.code.rawValue)
        }
        configuration.logger.debug("retrying HTTP request", metadata: metadata)
    }
}

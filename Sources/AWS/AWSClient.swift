import Foundation
import HTTP
import HTTPClient
import Logging

/// How signed AWS calls are retried: jittered exponential backoff for throttling, 5xx and
/// network failures (botocore's standard mode: 3 attempts, `rand(0,1) * min(base * 2^n, max)`).
public struct AWSRetryPolicy: Sendable {
    /// Total attempts including the first (default 3).
    public var maxAttempts: Int
    /// Base delay (default 500 ms).
    public var baseDelay: Duration
    /// Cap on one wait (default 20 s).
    public var maxDelay: Duration

    /// Creates a policy.
    public init(maxAttempts: Int = 3, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(20)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// The wait before retry number `attempt` (1-based), full jitter.
    public func delay(attempt: Int, retryAfter: Duration? = nil) -> Duration {
        if let retryAfter { return min(retryAfter, maxDelay) }
        let ceiling = min(baseDelay * (1 << min(attempt - 1, 20)), maxDelay)
        return ceiling * Double.random(in: 0...1)
    }
}

/// The shared machinery of every AWS client: endpoint, credentials, SigV4 signing, retries,
/// and turning error responses into `AWSError`.
public struct AWSClient: Sendable {
    /// The transport (libcurl `HTTPClient` in production, fakes in tests).
    public let transport: any HTTPTransport
    /// Where credentials come from.
    public let credentialsProvider: any AWSCredentialsProvider
    /// Region and endpoints.
    public let configuration: AWSConfiguration
    /// Retry behaviour.
    public let retryPolicy: AWSRetryPolicy
    /// Per-request timeout.
    public let timeout: Duration
    let now: @Sendable () -> Date
    let logger: Logger
    let signers: [AWSService: SigV4Signer]

    /// Creates a client; `now` is injectable for tests (signing time).
    public init(
        transport: any HTTPTransport, credentials: any AWSCredentialsProvider, configuration: AWSConfiguration,
        retryPolicy: AWSRetryPolicy = AWSRetryPolicy(), timeout: Duration = .seconds(30),
        logger: Logger = Logger(label: "runway.aws"), now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.transport = transport
        self.credentialsProvider = credentials
        self.configuration = configuration
        self.retryPolicy = retryPolicy
        self.timeout = timeout
        self.logger = logger
        self.now = now
        var signers: [AWSService: SigV4Signer] = [:]
        for service in AWSService.allCases { signers[service] = SigV4Signer(region: configuration.region, service: service.signingName) }
        self.signers = signers
    }

    /// The signer used for `service` (region from the configuration).
    public func signer(for service: AWSService) -> SigV4Signer { signers[service]! }

    /// Signs and sends one call, retrying transient failures; returns the 2xx response or
    /// throws the decoded `AWSError`.
    func send(
        service: AWSService, operation: String, method: String, path: String, headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [], decodeError: (ClientResponse) -> AWSError
    ) async throws(AWSError) -> ClientResponse {
        let url = configuration.endpoint(for: service) + path
        var attempt = 0
        while true {
            attempt += 1
            let credentials: AWSCredentials
            do { credentials = try await credentialsProvider.credentials() } catch {
                throw (error as? AWSError) ?? AWSError(code: .noCredentials, message: "no AWS credentials available", retryable: false)
            }
            let request = ClientRequest(method: method, url: url, headers: headers, body: body, timeout: timeout)
            let signed = try signer(for: service).sign(request, credentials: credentials, date: now())
            let error: AWSError
            let started = ContinuousClock.now
            do {
                let response = try await transport.execute(signed)
                if (200..<300).contains(response.status) {
                    logger.debug("AWS call", metadata: [
                        "aws.operation": "\(operation)", "http.status": "\(response.status)",
                        "duration_ms": "\((ContinuousClock.now - started).logMilliseconds)",
                    ])
                    return response
                }
                error = decodeError(response)
            } catch is CancellationError {
                throw AWSError(code: "Cancelled", message: "call cancelled", retryable: false)
            } catch {
                let wrapped = AWSError.transport(error)
                if wrapped.retryImmediately, attempt < retryPolicy.maxAttempts {
                    try await backoff(attempt: attempt, retryAfter: nil, operation: operation, error: wrapped)
                    continue
                }
                throw wrapped
            }
            logger.debug("AWS call failed", metadata: [
                "aws.operation": "\(operation)", "aws.error_code": "\(error.code)",
                "aws.request_id": "\(error.requestId ?? "-")", "http.status": "\(error.status ?? 0)",
            ])
            guard error.retryImmediately, attempt < retryPolicy.maxAttempts else { throw error }
            try await backoff(attempt: attempt, retryAfter: nil, operation: operation, error: error)
        }
    }

    private func backoff(attempt: Int, retryAfter: Duration?, operation: String, error: AWSError) async throws(AWSError) {
        let delay = retryPolicy.delay(attempt: attempt, retryAfter: retryAfter)
        logger.info("retrying AWS call", metadata: [
            "aws.operation": "\(operation)", "aws.error_code": "\(error.code)", "retry.attempt": "\(attempt)",
            "retry.delay_ms": "\(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)",
        ])
        do { try await Task.sleep(for: delay) } catch {
            throw AWSError(code: "Cancelled", message: "call cancelled during retry backoff", retryable: false)
        }
    }
}

import HTTP

/// One outbound HTTP request.
public struct ClientRequest: Sendable {
    public var method: String
    /// Absolute URL, `http://` or `https://`.
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Whole-request timeout (connect + transfer).
    public var timeout: Duration
    /// Connect timeout.
    public var connectTimeout: Duration
    /// PEM CA bundle trusted for this request instead of the system store (EKS cluster CA).
    public var caBundlePEM: [UInt8]?
    /// Retry policy; nil means one attempt. Retries apply only to idempotent methods unless
    /// `RetryPolicy.retryNonIdempotent` is set.
    public var retry: RetryPolicy?

    public init(
        method: String = "GET",
        url: String,
        headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [],
        timeout: Duration = .seconds(10),
        connectTimeout: Duration = .seconds(3),
        caBundlePEM: [UInt8]? = nil,
        retry: RetryPolicy? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.caBundlePEM = caBundlePEM
        self.retry = retry
    }
}

/// A complete response: status, headers and body.
public struct ClientResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders, body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The body as UTF-8 text (lossy).
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Jittered exponential backoff for idempotent requests; honours `Retry-After`.
public struct RetryPolicy: Sendable {
    /// Total attempts including the first (default 3).
    public var maxAttempts: Int
    /// Base delay (default 100 ms); attempt n waits `random(0, min(maxDelay, base * 2^n))`.
    public var baseDelay: Duration
    /// Cap on one wait, including a server's `Retry-After` (default 20 s).
    public var maxDelay: Duration
    /// Statuses retried (default 429, 500, 502, 503, 504).
    public var retryStatuses: Set<Int>
    /// Retry POST/PATCH too (only for calls the caller knows are idempotent, e.g. EC2 with a ClientToken).
    public var retryNonIdempotent: Bool

    public init(
        maxAttempts: Int = 3,
        baseDelay: Duration = .milliseconds(100),
        maxDelay: Duration = .seconds(20),
        retryStatuses: Set<Int> = [429, 500, 502, 503, 504],
        retryNonIdempotent: Bool = false
    ) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.retryStatuses = retryStatuses
        self.retryNonIdempotent = retryNonIdempotent
    }

    public static let `default` = RetryPolicy()
}

/// An outbound HTTP failure with no response (a response with any status is not an error).
public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case timeout, connect, tls, invalidURL, io, shutdown, other
    }
    public var code: Code
    /// Safe to log: never contains headers, bodies or URLs' query strings.
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "HTTPClientError(\(code.rawValue)): \(message)" }
}

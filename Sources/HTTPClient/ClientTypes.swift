import HTTP

/// One outbound HTTP request.
public struct ClientRequest: Sendable {
    /// The method token, e.g. `GET` (default), `POST`, `DELETE`.
    public var method: String
    /// Absolute URL, `http://` or `https://`.
    public var url: String
    /// Request header fields, sent in order. `User-Agent` and `traceparent` are added when absent.
    public var headers: HTTPHeaders
    /// The request body (default empty). POST, PUT and PATCH always send one, possibly empty.
    public var body: [UInt8]
    /// Whole-request timeout, connect + transfer (default 10 s); each retry attempt gets it afresh.
    public var timeout: Duration
    /// Connect timeout, TCP + TLS handshake (default 3 s).
    public var connectTimeout: Duration
    /// PEM CA bundle trusted for this request instead of the system store (EKS cluster CA);
    /// default nil, the system store.
    public var caBundlePEM: [UInt8]?
    /// Retry policy; nil (default) means one attempt. Retries apply only to idempotent methods unless
    /// `RetryPolicy.retryNonIdempotent` is set.
    public var retry: RetryPolicy?
    /// Redirects followed (default 0: a 3xx response is returned as is). When above 0, only
    /// http/https targets are followed and libcurl drops `Authorization` on a change of host.
    public var maxRedirects: Int

    /// Creates a request; every parameter but `url` has the default documented on its property.
    public init(
        method: String = "GET",
        url: String,
        headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [],
        timeout: Duration = .seconds(10),
        connectTimeout: Duration = .seconds(3),
        caBundlePEM: [UInt8]? = nil,
        retry: RetryPolicy? = nil,
        maxRedirects: Int = 0
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.caBundlePEM = caBundlePEM
        self.retry = retry
        self.maxRedirects = maxRedirects
    }
}

/// A complete response: status, headers and body.
public struct ClientResponse: Sendable {
    /// The status code of the final response.
    public var status: Int
    /// The final response's header fields in order, repeated fields kept.
    public var headers: HTTPHeaders
    /// The response body (never larger than the client's `maxResponseBodyBytes`).
    public var body: [UInt8]

    /// Creates a response (for fakes and tests).
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

    /// Creates a policy; each parameter's default is documented on its property.
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

    /// Three attempts, 100 ms base, 20 s cap, the usual transient statuses, idempotent methods only.
    public static let `default` = RetryPolicy()
}

/// An outbound HTTP failure with no response (a response with any status is not an error).
public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, for callers to match on.
    public enum Code: String, Sendable {
        /// The whole-request or connect timeout elapsed.
        case timeout
        /// No connection: refused, unreachable or the name did not resolve.
        case connect
        /// TLS handshake or certificate verification failed.
        case tls
        /// The URL is not an absolute http(s) URL libcurl accepts.
        case invalidURL
        /// The connection broke while sending or receiving.
        case io
        /// The client was shut down.
        case shutdown
        /// Anything else, e.g. an invalid header or a response body over the size limit.
        case other
    }
    /// What went wrong.
    public var code: Code
    /// Safe to log: never contains headers, bodies or URLs' query strings.
    public var message: String

    /// Creates an error; `message` must be safe to log.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// `HTTPClientError(code): message`.
    public var description: String { "HTTPClientError(\(code.rawValue)): \(message)" }
}

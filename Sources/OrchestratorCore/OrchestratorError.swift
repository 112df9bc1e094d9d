import HTTP

/// A failure of an Orchestrator operation, shaped for the HTTP edge: a status, a code callers can
/// match and a message safe to log (never a token, JIT config or body).
public struct OrchestratorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind decides the HTTP status.
    public enum Kind: String, Sendable {
        /// 400: the request is malformed.
        case badRequest
        /// 404: the pool is not served here.
        case unknownPool
        /// 409: GitHub reports the runner busy and the job is not finished.
        case busy
        /// 422: AWS, Kubernetes or GitHub refused permanently (bad image, unauthorised, invalid spec).
        case rejected
        /// 503: throttled, out of capacity or a dependency is down; retry after `retryAfter`.
        case unavailable
        /// 500: a bug or an unexpected answer.
        case `internal`
    }

    /// What went wrong, broadly.
    public var kind: Kind
    /// Machine-readable code, e.g. `InsufficientInstanceCapacity`, `github_unavailable`.
    public var code: String
    /// Human-readable, safe to log.
    public var message: String
    /// Seconds the caller should wait before retrying (503 only).
    public var retryAfter: Int?
    /// The provider answered that it launched nothing (throttled, no capacity, refused), as opposed
    /// to a timeout or 5xx after which an instance or pod may exist. Always true for `rejected`.
    public var nothingLaunched: Bool

    /// Creates an error.
    public init(_ kind: Kind, code: String, message: String, retryAfter: Int? = nil, nothingLaunched: Bool = false) {
        self.kind = kind
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
        self.nothingLaunched = nothingLaunched || kind == .rejected
    }

    /// The HTTP status of this error.
    public var status: Int {
        switch kind {
        case .badRequest: 400
        case .unknownPool: 404
        case .busy: 409
        case .rejected: 422
        case .unavailable: 503
        case .internal: 500
        }
    }

    /// The HTTP error answered; 500 carries no detail.
    public var httpError: HTTPError {
        if kind == .internal { return HTTPError(status: 500, code: "internal", message: "internal error") }
        var headers = HTTPHeaders()
        if kind == .unavailable { headers.set("Retry-After", String(retryAfter ?? 5)) }
        return HTTPError(status: status, code: code, message: message, headers: headers)
    }

    /// `kind(code): message`.
    public var description: String { "\(kind.rawValue)(\(code)): \(message)" }

    static func unknownPool(_ pool: String) -> OrchestratorError {
        OrchestratorError(.unknownPool, code: "unknown_pool", message: "pool '\(pool)' is not served by this orchestrator")
    }
}

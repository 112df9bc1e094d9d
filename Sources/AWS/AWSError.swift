import HTTPClient

/// A failed AWS call: the service's error code, a message safe to log, the request id when
/// AWS sent one, and whether trying again later can succeed.
///
/// The message never contains credentials, signatures or request bodies; AWS's own
/// `SignatureDoesNotMatch` text (which quotes the canonical request) is cut short.
public struct AWSError: Error, Sendable, CustomStringConvertible {
    /// An AWS error code (`RequestLimitExceeded`, `InvalidInstanceID.NotFound`, …) or one of
    /// Runway's local codes (`InvalidURL`, `MalformedResponse`, `Transport`, `NoCredentials`, …).
    public struct Code: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
        /// The code as AWS spells it.
        public var rawValue: String
        /// Creates a code.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Creates a code from a literal.
        public init(stringLiteral value: String) { rawValue = value }
        public var description: String { rawValue }

        // EC2
        /// `RequestLimitExceeded`.
        public static let requestLimitExceeded: Code = "RequestLimitExceeded"
        /// `InsufficientInstanceCapacity`.
        public static let insufficientInstanceCapacity: Code = "InsufficientInstanceCapacity"
        /// `InstanceLimitExceeded`.
        public static let instanceLimitExceeded: Code = "InstanceLimitExceeded"
        /// `VcpuLimitExceeded`.
        public static let vcpuLimitExceeded: Code = "VcpuLimitExceeded"
        /// `IdempotentParameterMismatch`.
        public static let idempotentParameterMismatch: Code = "IdempotentParameterMismatch"
        /// `UnauthorizedOperation`.
        public static let unauthorizedOperation: Code = "UnauthorizedOperation"
        /// `InvalidParameterValue`.
        public static let invalidParameterValue: Code = "InvalidParameterValue"
        /// `InvalidParameterCombination`.
        public static let invalidParameterCombination: Code = "InvalidParameterCombination"
        /// `MissingParameter`.
        public static let missingParameter: Code = "MissingParameter"
        /// `InvalidInstanceID.NotFound`.
        public static let invalidInstanceIDNotFound: Code = "InvalidInstanceID.NotFound"
        /// `AuthFailure`.
        public static let authFailure: Code = "AuthFailure"
        // STS / EKS / generic
        /// `SignatureDoesNotMatch`.
        public static let signatureDoesNotMatch: Code = "SignatureDoesNotMatch"
        /// `InvalidClientTokenId`.
        public static let invalidClientTokenId: Code = "InvalidClientTokenId"
        /// `ExpiredToken`.
        public static let expiredToken: Code = "ExpiredToken"
        /// `AccessDenied`.
        public static let accessDenied: Code = "AccessDenied"
        /// `ResourceNotFoundException`.
        public static let resourceNotFound: Code = "ResourceNotFoundException"
        // Local
        /// `InvalidURL`.
        public static let invalidURL: Code = "InvalidURL"
        /// `InvalidRegion`.
        public static let invalidRegion: Code = "InvalidRegion"
        /// `MalformedResponse`.
        public static let malformedResponse: Code = "MalformedResponse"
        /// `Transport`.
        public static let transport: Code = "Transport"
        /// `NoCredentials`.
        public static let noCredentials: Code = "NoCredentials"
        /// `CredentialsProviderError`.
        public static let credentialsProvider: Code = "CredentialsProviderError"
    }

    /// What to match on.
    public var code: Code
    /// Human-readable and safe to log.
    public var message: String
    /// AWS's request id (`x-amzn-RequestId`, `<RequestID>`, `<requestId>`), when known.
    public var requestId: String?
    /// HTTP status of the response, nil when there was none.
    public var status: Int?
    /// Whether the same call may succeed later (throttling, capacity, 5xx, network).
    public var retryable: Bool

    /// Creates an error; `retryable` defaults to the classification of `code` and `status`.
    public init(code: Code, message: String, requestId: String? = nil, status: Int? = nil, retryable: Bool? = nil) {
        self.code = code
        self.message = Self.sanitize(message)
        self.requestId = requestId
        self.status = status
        self.retryable = retryable ?? (Self.isThrottling(code) || Self.isTransient(code, status: status) || Self.capacityCodes.contains(code))
    }

    public var description: String {
        var s = "AWSError(\(code.rawValue)"
        if let status { s += ", HTTP \(status)" }
        if let requestId { s += ", request \(requestId)" }
        return s + "): \(message)"
    }

    /// Whether an immediate retry with backoff is worthwhile (throttling or transient errors);
    /// capacity errors are retryable later but not within one call.
    public var retryImmediately: Bool {
        Self.isThrottling(code) || Self.isTransient(code, status: status)
    }

    /// Throttling codes (botocore standard retry mode's list).
    public static let throttlingCodes: Set<Code> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
        "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
    ]
    /// Transient codes regardless of status.
    public static let transientCodes: Set<Code> = [
        "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalFailure", "ServiceUnavailable",
        "ServiceUnavailableException", "ServerException", "Unavailable", "IDPCommunicationError",
        "InvalidInstanceID.NotFound", .transport,
    ]
    /// Capacity codes: retry later or elsewhere (another subnet, type or on-demand).
    public static let capacityCodes: Set<Code> = ["InsufficientInstanceCapacity", "InsufficientCapacity", "SpotMaxPriceTooLow", "InsufficientFreeAddressesInSubnet"]

    static func isThrottling(_ code: Code) -> Bool { throttlingCodes.contains(code) }

    static func isTransient(_ code: Code, status: Int?) -> Bool {
        if transientCodes.contains(code) { return true }
        guard let status else { return false }
        return [429, 500, 502, 503, 504].contains(status) && !capacityCodes.contains(code)
    }

    static func sanitize(_ message: String) -> String {
        var m = message.trimmingWhitespace()
        // SignatureDoesNotMatch bodies quote the canonical request (and so any session token).
        if let r = m.range(of: "The Canonical String") { m = String(m[..<r.lowerBound]).trimmingWhitespace() }
        if m.utf8.count > 400 { m = String(m.prefix(400)) + "…" }
        return m
    }

    static func invalidURL() -> AWSError {
        AWSError(code: .invalidURL, message: "request URL is not absolute", retryable: false)
    }

    static func malformed(_ what: String, status: Int?, requestId: String?) -> AWSError {
        AWSError(code: .malformedResponse, message: what, requestId: requestId, status: status,
                 retryable: status.map { $0 >= 500 } ?? false)
    }

    /// Wraps a transport failure (no HTTP response).
    static func transport(_ error: any Error) -> AWSError {
        if let e = error as? HTTPClientError {
            let retry = [.timeout, .connect, .io].contains(e.code)
            return AWSError(code: .transport, message: "\(e.code.rawValue): \(e.message)", retryable: retry)
        }
        return AWSError(code: .transport, message: "transport failure", retryable: true)
    }
}

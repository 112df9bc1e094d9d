import Foundation
import HTTPClient

/// A failed Kubernetes API call, decoded from the `Status` object the API server answers with.
public struct KubernetesError: Error, Sendable, CustomStringConvertible {
    /// `Status.reason` (`NotFound`, `AlreadyExists`, `Invalid`, `Unauthorized`, `Forbidden`,
    /// `TooManyRequests`, …), or a local reason (`Transport`, `MalformedResponse`, `Token`).
    public struct Reason: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral {
        /// The reason as the server spells it.
        public var rawValue: String
        /// Creates a reason.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Creates a reason from a literal.
        public init(stringLiteral value: String) { rawValue = value }

        /// `NotFound`.
        public static let notFound: Reason = "NotFound"
        /// `AlreadyExists`.
        public static let alreadyExists: Reason = "AlreadyExists"
        /// `Invalid`.
        public static let invalid: Reason = "Invalid"
        /// `Unauthorized`.
        public static let unauthorized: Reason = "Unauthorized"
        /// `Forbidden`.
        public static let forbidden: Reason = "Forbidden"
        /// `Conflict`.
        public static let conflict: Reason = "Conflict"
        /// `TooManyRequests`.
        public static let tooManyRequests: Reason = "TooManyRequests"
        /// `BadRequest`.
        public static let badRequest: Reason = "BadRequest"
        /// `Transport`.
        public static let transport: Reason = "Transport"
        /// `MalformedResponse`.
        public static let malformedResponse: Reason = "MalformedResponse"
        /// `Token`.
        public static let token: Reason = "Token"
    }

    /// What to match on.
    public var reason: Reason
    /// HTTP status (nil when no response arrived).
    public var status: Int?
    /// `Status.message` (object names and field paths; never request bodies).
    public var message: String
    /// `Retry-After` of a 429/503, when sent.
    public var retryAfter: Duration?

    /// Creates an error.
    public init(reason: Reason, status: Int?, message: String, retryAfter: Duration? = nil) {
        self.reason = reason
        self.status = status
        self.message = String(message.prefix(500))
        self.retryAfter = retryAfter
    }

    /// Whether trying again later can succeed (429, 5xx, network).
    public var retryable: Bool {
        if reason == .transport || reason == .tooManyRequests { return true }
        guard let status else { return false }
        return status == 429 || status >= 500
    }

    public var description: String {
        "KubernetesError(\(reason.rawValue)\(status.map { ", HTTP \($0)" } ?? "")): \(message)"
    }

    struct StatusBody: Decodable {
        var kind: String?
        var message: String?
        var reason: String?
        var code: Int?
    }

    /// Decodes an error response; a body that is not a `Status` still yields a typed error.
    static func from(_ response: ClientResponse) -> KubernetesError {
        let retryAfter = response.headers["Retry-After"].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }.map { Duration.seconds($0) }
        if let body = try? JSONDecoder().decode(StatusBody.self, from: Data(response.body)), body.kind == "Status" {
            let reason = body.reason.flatMap { $0.isEmpty ? nil : $0 } ?? defaultReason(response.status)
            return KubernetesError(reason: Reason(rawValue: reason), status: response.status, message: body.message ?? reason, retryAfter: retryAfter)
        }
        return KubernetesError(reason: Reason(rawValue: defaultReason(response.status)), status: response.status,
                               message: "HTTP \(response.status) without a Status body", retryAfter: retryAfter)
    }

    static func defaultReason(_ status: Int) -> String {
        switch status {
        case 400: "BadRequest"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "NotFound"
        case 409: "Conflict"
        case 422: "Invalid"
        case 429: "TooManyRequests"
        case 500...: "InternalError"
        default: "Unknown"
        }
    }
}

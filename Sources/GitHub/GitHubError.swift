import Foundation

/// A failed GitHub API call, with what GitHub said about it. Never carries a token, a JWT, a
/// JIT config or a request body.
public struct GitHubError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure, for callers to match.
    public enum Code: String, Sendable {
        /// 401: bad or expired JWT or installation token.
        case unauthorized
        /// 403 that is not a rate limit: the App lacks a permission.
        case forbidden
        /// 404: no such resource, or the App cannot see it.
        case notFound
        /// 409: conflict, e.g. a runner name already registered.
        case conflict
        /// 422: validation failed (GitHub also reports some conflicts this way).
        case validationFailed
        /// Primary or secondary rate limit; `retryAfter` says when to try again.
        case rateLimited
        /// 5xx from GitHub.
        case server
        /// No HTTP response (connect, timeout, truncated transfer).
        case transport
        /// A 2xx whose body is not what the API documents.
        case malformedResponse
        /// The request could not be built (bad scope name, signing failure).
        case invalidRequest
        /// Any other status.
        case unexpectedStatus
    }

    /// The failure kind.
    public var code: Code
    /// HTTP status, when GitHub answered.
    public var status: Int?
    /// GitHub's `message`, or our own description; safe to log.
    public var message: String
    /// GitHub's `documentation_url`.
    public var documentationURL: String?
    /// `X-GitHub-Request-Id`, for GitHub support.
    public var requestID: String?
    /// The operation, as `METHOD /path/template` (no ids that could be secrets).
    public var operation: String?
    /// When to retry (rate limits and `Retry-After`).
    public var retryAfter: Duration?

    /// Creates an error.
    public init(code: Code, status: Int? = nil, message: String, documentationURL: String? = nil,
                requestID: String? = nil, operation: String? = nil, retryAfter: Duration? = nil) {
        self.code = code
        self.status = status
        self.message = message
        self.documentationURL = documentationURL
        self.requestID = requestID
        self.operation = operation
        self.retryAfter = retryAfter
    }

    /// Whether trying the same call again later may succeed.
    public var isRetryable: Bool {
        switch code {
        case .rateLimited, .server, .transport: return true
        default: return false
        }
    }

    public var description: String {
        var parts = ["GitHubError(\(code.rawValue))"]
        if let operation { parts.append(operation) }
        if let status { parts.append("status \(status)") }
        parts.append(message)
        if let requestID { parts.append("request_id \(requestID)") }
        if let retryAfter { parts.append("retry after \(retryAfter)") }
        if let documentationURL { parts.append(documentationURL) }
        return parts.joined(separator: ": ")
    }

    /// The error for a non-2xx response: GitHub's JSON error body when present, else the status.
    static func from(status: Int, headers: [String: String], body: [UInt8], operation: String,
                     retryAfter: Duration? = nil) -> GitHubError {
        let parsed = try? JSONDecoder().decode(ErrorBody.self, from: Data(body))
        let code: Code
        switch status {
        case 401: code = .unauthorized
        case 403: code = retryAfter != nil ? .rateLimited : .forbidden
        case 404: code = .notFound
        case 409: code = .conflict
        case 422: code = .validationFailed
        case 429: code = .rateLimited
        case 500...599: code = .server
        default: code = .unexpectedStatus
        }
        var message = parsed?.message ?? "HTTP \(status)"
        if let details = parsed?.errors?.compactMap(\.message), !details.isEmpty {
            message += " (" + details.joined(separator: "; ") + ")"
        }
        if message.count > 500 { message = String(message.prefix(500)) + "…" }
        return GitHubError(code: code, status: status, message: message,
                           documentationURL: parsed?.documentation_url, requestID: headers["x-github-request-id"],
                           operation: operation, retryAfter: retryAfter)
    }

    /// GitHub's error body: `{"message", "errors": [...], "documentation_url"}`.
    struct ErrorBody: Decodable {
        /// One entry of `errors`: a string, or an object with `message` or `resource`/`field`/`code`.
        struct Detail: Decodable {
            var message: String?

            private enum Keys: String, CodingKey { case message, resource, field, code }

            init(from decoder: any Decoder) throws {
                if let text = try? decoder.singleValueContainer().decode(String.self) {
                    message = text
                    return
                }
                let c = try decoder.container(keyedBy: Keys.self)
                if let text = try c.decodeIfPresent(String.self, forKey: .message) {
                    message = text
                    return
                }
                let parts = [try c.decodeIfPresent(String.self, forKey: .resource),
                             try c.decodeIfPresent(String.self, forKey: .field),
                             try c.decodeIfPresent(String.self, forKey: .code)].compactMap { $0 }
                message = parts.isEmpty ? nil : parts.joined(separator: " ")
            }
        }
        var message: String?
        var errors: [Detail]?
        var documentation_url: String?
    }
}

/// Why a request could not be parsed: the status to answer with and a message safe to show the client.
///
/// Every parse error ends the connection after the error response, because the position of the
/// next request in the byte stream can no longer be trusted.
public struct HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The response status (400, 408, 413, 414, 417, 431, 501, 505).
    public var status: Int
    /// A stable machine-readable code for the JSON error body.
    public var code: String
    /// A short human-readable reason; never echoes request bytes.
    public var message: String

    /// Creates an error.
    public init(status: Int, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    /// The JSON error response for this error.
    public var response: HTTPResponse {
        .error(status: status, code: code, message: message)
    }

    public var description: String { "\(status) \(code): \(message)" }

    /// A malformed request (400).
    public static func badRequest(_ message: String) -> HTTPParseError {
        HTTPParseError(status: 400, code: "bad_request", message: message)
    }
    /// The request line is longer than the limit (414).
    public static let uriTooLong = HTTPParseError(status: 414, code: "uri_too_long", message: "request line too long")
    /// The header block is larger than the limit or has too many fields (431).
    public static func headersTooLarge(_ message: String) -> HTTPParseError {
        HTTPParseError(status: 431, code: "headers_too_large", message: message)
    }
    /// The body is larger than the route's limit (413).
    public static let bodyTooLarge = HTTPParseError(status: 413, code: "body_too_large", message: "request body too large")
    /// An HTTP version other than 1.0 and 1.1 (505).
    public static let versionNotSupported = HTTPParseError(
        status: 505, code: "version_not_supported", message: "only HTTP/1.0 and HTTP/1.1 are supported")
    /// A transfer coding other than chunked (501).
    public static let unsupportedTransferCoding = HTTPParseError(
        status: 501, code: "not_implemented", message: "unsupported transfer coding")
    /// An `Expect` other than `100-continue` (417).
    public static let expectationFailed = HTTPParseError(
        status: 417, code: "expectation_failed", message: "unsupported expectation")
    /// The request was not received in time (408).
    public static let requestTimeout = HTTPParseError(status: 408, code: "request_timeout", message: "request not received in time")
}

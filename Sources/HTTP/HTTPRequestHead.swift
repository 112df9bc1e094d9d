/// The request line and header fields of one request, validated, before its body is read.
public struct HTTPRequestHead: Sendable, Equatable {
    /// How the body of a request is delimited (RFC 9112 §6).
    public enum BodyFraming: Sendable, Equatable {
        /// No body.
        case none
        /// Exactly this many bytes (`Content-Length`).
        case length(Int)
        /// `Transfer-Encoding: chunked`.
        case chunked
    }

    /// The method token, e.g. `GET`.
    public var method: String
    /// The request target in origin form (`/path?query`); absolute-form targets are reduced to it.
    public var target: String
    /// The protocol version.
    public var version: HTTPVersion
    /// The header fields in order.
    public var headers: HTTPHeaders
    /// Whether the connection stays open after this request (version default and `Connection`).
    public var keepAlive: Bool
    /// Whether the client sent `Expect: 100-continue` and waits for an interim response.
    public var expectsContinue: Bool
    /// How the body is delimited.
    public var framing: BodyFraming

    /// Creates a head.
    public init(
        method: String, target: String, version: HTTPVersion, headers: HTTPHeaders,
        keepAlive: Bool, expectsContinue: Bool, framing: BodyFraming
    ) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.keepAlive = keepAlive
        self.expectsContinue = expectsContinue
        self.framing = framing
    }

    /// Whether a body follows the head.
    public var hasBody: Bool {
        switch framing {
        case .none, .length(0): return false
        default: return true
        }
    }
}

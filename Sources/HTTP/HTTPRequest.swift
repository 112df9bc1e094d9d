/// A parsed HTTP/1.x request as handed to a route handler.
public struct HTTPRequest: Sendable {
    /// The method token as sent, e.g. `GET`.
    public var method: String
    /// The request target as sent, e.g. `/v1/jobs?state=pending`.
    public var target: String
    /// The path part of the target (before `?`), percent-encoding untouched.
    public var path: String
    /// The raw query string (after `?`), or empty.
    public var query: String
    /// `1.0` or `1.1`.
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    /// The body bytes (de-chunked when the request used chunked transfer coding).
    public var body: [UInt8]
    /// Path parameters captured by the router, e.g. `["id": "42"]` for `/v1/jobs/:id`.
    public var pathParameters: [String: String]
    /// A per-request id (from `X-Request-Id` when valid, else generated), logged as `request.id`.
    public var requestID: String
    /// The W3C trace context of this request (from `traceparent`, else a new trace).
    public var trace: TraceContext

    public init(
        method: String,
        target: String,
        version: HTTPVersion = .http1_1,
        headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [],
        pathParameters: [String: String] = [:],
        requestID: String = "",
        trace: TraceContext = .newRoot()
    ) {
        self.method = method
        self.target = target
        if let q = target.firstIndex(of: "?") {
            self.path = String(target[..<q])
            self.query = String(target[target.index(after: q)...])
        } else {
            self.path = target
            self.query = ""
        }
        self.version = version
        self.headers = headers
        self.body = body
        self.pathParameters = pathParameters
        self.requestID = requestID
        self.trace = trace
    }

    /// Query parameters decoded (`+` as space, percent-decoding); the last value wins.
    public var queryParameters: [String: String] {
        var result: [String: String] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = PercentDecoding.decode(String(parts[0]), plusAsSpace: true)
            let value = parts.count > 1 ? PercentDecoding.decode(String(parts[1]), plusAsSpace: true) : ""
            if let name { result[name] = value ?? "" }
        }
        return result
    }
}

/// The HTTP versions the server speaks.
public enum HTTPVersion: String, Sendable, Equatable {
    case http1_0 = "HTTP/1.0"
    case http1_1 = "HTTP/1.1"
}

/// Percent-decoding for URL components.
public enum PercentDecoding {
    /// Decodes `%XX` escapes (and `+` when asked); nil when an escape is malformed or the result is not UTF-8.
    public static func decode(_ s: String, plusAsSpace: Bool = false) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        var it = s.utf8.makeIterator()
        while let c = it.next() {
            if c == UInt8(ascii: "%") {
                guard let h = it.next(), let l = it.next(), let hv = hex(h), let lv = hex(l) else { return nil }
                out.append(hv << 4 | lv)
            } else if plusAsSpace && c == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else {
                out.append(c)
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

import HTTP

/// A `ClientRequest` checked and translated into what libcurl needs. Built on the caller's task
/// (where `TraceContext.current` is bound), then handed to the transfer thread.
struct PreparedRequest: Sendable {
    var method: String
    var url: String
    /// `Name: value` lines for `CURLOPT_HTTPHEADER`, including the client's defaults.
    var headerLines: [String]
    /// Whether the request carries a body (also an empty one, for POST/PUT/PATCH).
    var sendsBody: Bool
    var body: [UInt8]
    var timeoutMilliseconds: Int
    var connectTimeoutMilliseconds: Int
    var caBundlePEM: [UInt8]?
    var maxRedirects: Int
    var maxResponseBodyBytes: Int

    /// Validates `request` and adds `User-Agent` and `traceparent` when the caller set none.
    ///
    /// Header values with CR, LF or other control bytes are refused rather than sent, so a value
    /// taken from input can never inject a header (the error names the field, never the value).
    init(
        _ request: ClientRequest,
        userAgent: String,
        trace: TraceContext?,
        maxResponseBodyBytes: Int
    ) throws(HTTPClientError) {
        guard !request.method.isEmpty, request.method.utf8.allSatisfy(Self.isTokenByte) else {
            throw HTTPClientError(code: .other, message: "invalid HTTP method")
        }
        let lower = request.url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://"),
            request.url.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7f })
        else {
            throw HTTPClientError(
                code: .invalidURL, message: "URL must be absolute http(s) without spaces or control characters")
        }
        var lines: [String] = []
        lines.reserveCapacity(request.headers.count + 4)
        for (name, value) in request.headers {
            guard !name.isEmpty, name.utf8.allSatisfy(Self.isTokenByte) else {
                throw HTTPClientError(code: .other, message: "invalid header field name")
            }
            guard value.utf8.allSatisfy({ ($0 >= 0x20 && $0 != 0x7f) || $0 == 0x09 }) else {
                throw HTTPClientError(code: .other, message: "invalid value for header field \(name)")
            }
            // libcurl drops `Name:` (it means "remove"), so an empty value is sent as `Name;`.
            lines.append(value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        let method = request.method
        let sendsBody = !request.body.isEmpty || ["POST", "PUT", "PATCH"].contains(method.uppercased())
        if !request.headers.contains("User-Agent") { lines.append("User-Agent: \(userAgent)") }
        if !request.headers.contains("traceparent"), let trace { lines.append("traceparent: \(trace.traceparent)") }
        // libcurl would otherwise add `Expect: 100-continue` to larger bodies (a round trip lost)
        // and a form `Content-Type` to every body.
        if !request.headers.contains("Expect") { lines.append("Expect:") }
        if sendsBody && !request.headers.contains("Content-Type") { lines.append("Content-Type:") }

        self.method = method
        self.url = request.url
        self.headerLines = lines
        self.sendsBody = sendsBody
        self.body = request.body
        self.timeoutMilliseconds = Self.milliseconds(request.timeout)
        self.connectTimeoutMilliseconds = Self.milliseconds(request.connectTimeout)
        self.caBundlePEM = request.caBundlePEM
        self.maxRedirects = max(0, request.maxRedirects)
        self.maxResponseBodyBytes = maxResponseBodyBytes
    }

    /// At least 1 ms: libcurl reads 0 as "no timeout".
    private static func milliseconds(_ duration: Duration) -> Int {
        let value = duration.seconds * 1000
        guard value.isFinite, value >= 1 else { return 1 }
        return value >= Double(Int32.max) ? Int(Int32.max) : Int(value.rounded(.up))
    }

    /// RFC 9110 §5.6.2 `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}

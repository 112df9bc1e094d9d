#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Serializes responses to HTTP/1.1 bytes (pure, no I/O).
///
/// The writer owns framing: it drops any `Content-Length`, `Transfer-Encoding`, `Connection` or
/// `Date` the handler set and writes its own, so a handler can never desynchronise the stream.
public enum HTTPResponseWriter {
    /// Serializes `response`.
    /// - Parameters:
    ///   - keepAlive: whether the connection stays open (`Connection: keep-alive` or `close`).
    ///   - version: the request's version; HTTP/1.0 keep-alive must be announced explicitly.
    ///   - omitBody: true for HEAD: the length is announced but no body is sent.
    ///   - extraHeaders: fields the server adds (`traceparent`, `X-Request-Id`).
    ///   - date: the `Date` value; the current time when nil.
    public static func serialize(
        _ response: HTTPResponse, keepAlive: Bool, version: HTTPVersion = .http1_1, omitBody: Bool = false,
        extraHeaders: HTTPHeaders = HTTPHeaders(), date: String? = nil
    ) -> [UInt8] {
        // A status outside the three-digit range cannot be written; treat it as the handler bug it is.
        let status = (100...999).contains(response.status) ? response.status : 500
        let bodyAllowed = !(status < 200 || status == 204 || status == 304)
        var out: [UInt8] = []
        out.reserveCapacity(160 + response.headers.count * 40 + extraHeaders.count * 64 + response.body.count)
        out.append(contentsOf: "HTTP/1.1 ".utf8)
        appendDecimal(&out, status)
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: reasonPhrase(status).utf8)
        out.append(contentsOf: "\r\n".utf8)
        for field in response.headers where !isFramingField(field.name) && field.name.utf8.allSatisfy(HTTPSyntax.isTokenChar) {
            appendField(&out, field.name, field.value)
        }
        for field in extraHeaders {
            appendField(&out, field.name, field.value)
        }
        if bodyAllowed {
            out.append(contentsOf: "Content-Length: ".utf8)
            appendDecimal(&out, response.body.count)
            out.append(contentsOf: "\r\n".utf8)
        }
        out.append(contentsOf: "Date: ".utf8)
        out.append(contentsOf: (date ?? HTTPDate.now()).utf8)
        if !keepAlive {
            out.append(contentsOf: "\r\nConnection: close\r\n\r\n".utf8)
        } else if version == .http1_0 {
            out.append(contentsOf: "\r\nConnection: keep-alive\r\n\r\n".utf8)
        } else {
            out.append(contentsOf: "\r\n\r\n".utf8)
        }
        if bodyAllowed && !omitBody {
            out.append(contentsOf: response.body)
        }
        return out
    }

    /// The interim response sent when a client waits on `Expect: 100-continue`.
    public static let continueResponse: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    static func appendDecimal(_ out: inout [UInt8], _ value: Int) {
        if value >= 10 { appendDecimal(&out, value / 10) }
        out.append(UInt8(truncatingIfNeeded: 0x30 + value % 10))
    }

    static func appendField(_ out: inout [UInt8], _ name: String, _ value: String) {
        out.append(contentsOf: name.utf8)
        out.append(UInt8(ascii: ":"))
        out.append(UInt8(ascii: " "))
        // A CR or LF in a value would split the response (header injection); replace it.
        let utf8 = value.utf8
        if utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) {
            for c in utf8 { out.append(c == 0x0D || c == 0x0A || c == 0 ? UInt8(ascii: " ") : c) }
        } else {
            out.append(contentsOf: utf8)
        }
        out.append(0x0D)
        out.append(0x0A)
    }

    static func isFramingField(_ name: String) -> Bool {
        switch name.utf8.count {
        case 4: return HTTPHeaders.sameName(name, "date")
        case 10: return HTTPHeaders.sameName(name, "connection")
        case 14: return HTTPHeaders.sameName(name, "content-length")
        case 17: return HTTPHeaders.sameName(name, "transfer-encoding")
        default: return false
        }
    }

    /// The standard reason phrase for a status (RFC 9110 §15), or a generic one.
    public static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: return "Continue"
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 304: return "Not Modified"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 415: return "Unsupported Media Type"
        case 417: return "Expectation Failed"
        case 422: return "Unprocessable Content"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 505: return "HTTP Version Not Supported"
        default:
            switch status {
            case 200..<300: return "Success"
            case 300..<400: return "Redirection"
            case 400..<500: return "Client Error"
            default: return "Server Error"
            }
        }
    }
}

/// IMF-fixdate strings for the `Date` header, formatted at most once per second.
enum HTTPDate {
    private static let cache = Mutex<(second: Int, value: String)>((-1, ""))
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func now() -> String {
        let second = time(nil)
        return cache.withLock { cached in
            if cached.second == second { return cached.value }
            let value = format(second)
            cached = (second, value)
            return value
        }
    }

    static func format(_ seconds: Int) -> String {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}

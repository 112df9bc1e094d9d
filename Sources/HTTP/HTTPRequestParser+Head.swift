/// Validates one complete head (request line, fields, final empty line) and builds an `HTTPRequestHead`.
///
/// Strict where leniency enables request smuggling (RFC 9112 §11.2): bare CR or LF, obs-fold,
/// whitespace before a field colon, `Content-Length` together with `Transfer-Encoding`, conflicting
/// lengths and non-final `chunked` are all 400.
struct HeadParser {
    let bytes: UnsafeBufferPointer<UInt8>
    let limits: HTTPRequestParser.Limits

    func parse() -> Result<HTTPRequestHead, HTTPParseError> {
        // Size limits first, measured exactly as the incremental scan measures them, so the
        // answer never depends on how the bytes were split across reads.
        guard let firstLF = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return .failure(.badRequest("malformed head")) }
        let requestLineLength = firstLF > 0 && bytes[firstLF - 1] == UInt8(ascii: "\r") ? firstLF - 1 : firstLF
        if requestLineLength > limits.maxRequestLineBytes { return .failure(.uriTooLong) }
        if bytes.count - (firstLF + 1) > limits.maxHeaderBytes + 2 {
            return .failure(.headersTooLarge("header block too large"))
        }
        var lines: [Range<Int>] = []
        var start = 0
        for i in 0..<bytes.count where bytes[i] == UInt8(ascii: "\n") {
            guard i > start, bytes[i - 1] == UInt8(ascii: "\r") else {
                return .failure(.badRequest("line not terminated by CRLF"))
            }
            lines.append(start..<(i - 1))
            start = i + 1
        }
        // The last line is the empty one ending the head.
        guard lines.count >= 2, lines.last?.isEmpty == true else { return .failure(.badRequest("malformed head")) }
        lines.removeLast()
        if lines.count - 1 > limits.maxHeaderCount { return .failure(.headersTooLarge("too many header fields")) }
        let requestLine = lines[0]

        let method: String, target: String, version: HTTPVersion
        switch parseRequestLine(requestLine) {
        case .success(let parts): (method, target, version) = parts
        case .failure(let error): return .failure(error)
        }
        var headers = HTTPHeaders()
        headers.reserveCapacity(lines.count - 1)
        for line in lines.dropFirst() {
            switch parseField(line) {
            case .success(let field): headers.add(field.name, field.value)
            case .failure(let error): return .failure(error)
            }
        }
        return HeadSemantics(method: method, target: target, version: version, headers: headers).resolve()
    }

    func parseRequestLine(_ line: Range<Int>) -> Result<(String, String, HTTPVersion), HTTPParseError> {
        var i = line.lowerBound
        while i < line.upperBound, HTTPSyntax.isTokenChar(bytes[i]) { i += 1 }
        guard i > line.lowerBound, i < line.upperBound, bytes[i] == UInt8(ascii: " ") else {
            return .failure(.badRequest("malformed request line"))
        }
        let method = string(line.lowerBound..<i)
        i += 1
        let targetStart = i
        while i < line.upperBound, bytes[i] > 0x20, bytes[i] < 0x7F { i += 1 }
        guard i > targetStart, i < line.upperBound, bytes[i] == UInt8(ascii: " ") else {
            return .failure(.badRequest("malformed request line"))
        }
        let rawTarget = targetStart..<i
        i += 1
        let versionBytes = line.upperBound - i
        guard versionBytes == 8,
            bytes[i] == UInt8(ascii: "H"), bytes[i + 1] == UInt8(ascii: "T"), bytes[i + 2] == UInt8(ascii: "T"),
            bytes[i + 3] == UInt8(ascii: "P"), bytes[i + 4] == UInt8(ascii: "/"),
            HTTPSyntax.isDigit(bytes[i + 5]), bytes[i + 6] == UInt8(ascii: "."), HTTPSyntax.isDigit(bytes[i + 7])
        else { return .failure(.badRequest("malformed HTTP version")) }
        let version: HTTPVersion
        switch (bytes[i + 5], bytes[i + 7]) {
        case (UInt8(ascii: "1"), UInt8(ascii: "1")): version = .http1_1
        case (UInt8(ascii: "1"), UInt8(ascii: "0")): version = .http1_0
        default: return .failure(.versionNotSupported)
        }
        guard let target = originForm(rawTarget, method: method) else {
            return .failure(.badRequest("malformed request target"))
        }
        return .success((method, target, version))
    }

    /// Reduces the target to origin form (RFC 9112 §3.2): `/path?query`, `*` for OPTIONS, or the
    /// path of an absolute-form `http(s)://authority/path`.
    func originForm(_ range: Range<Int>, method: String) -> String? {
        let first = bytes[range.lowerBound]
        if first == UInt8(ascii: "/") { return string(range) }
        if range.count == 1 && first == UInt8(ascii: "*") { return method == "OPTIONS" ? "*" : nil }
        let raw = string(range)
        let lower = raw.lowercased()
        let scheme: Int
        if lower.hasPrefix("http://") { scheme = 7 } else if lower.hasPrefix("https://") { scheme = 8 } else { return nil }
        let rest = raw.utf8.dropFirst(scheme)
        guard let authorityEnd = rest.firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") }) else {
            return rest.isEmpty ? nil : "/"
        }
        guard authorityEnd > rest.startIndex else { return nil }
        let tail = String(raw[authorityEnd...])
        return tail.hasPrefix("/") ? tail : "/" + tail
    }

    func parseField(_ line: Range<Int>) -> Result<(name: String, value: String), HTTPParseError> {
        guard let first = line.first else { return .failure(.badRequest("empty header line")) }
        if bytes[first] == UInt8(ascii: " ") || bytes[first] == UInt8(ascii: "\t") {
            return .failure(.badRequest("obsolete line folding"))
        }
        var i = first
        while i < line.upperBound, HTTPSyntax.isTokenChar(bytes[i]) { i += 1 }
        // RFC 9112 §5.1: no whitespace between field name and colon.
        guard i > first, i < line.upperBound, bytes[i] == UInt8(ascii: ":") else {
            return .failure(.badRequest("malformed header field"))
        }
        let name = string(first..<i)
        var valueStart = i + 1
        var valueEnd = line.upperBound
        for j in valueStart..<valueEnd where !HTTPSyntax.isFieldValueByte(bytes[j]) {
            return .failure(.badRequest(bytes[j] == UInt8(ascii: "\r") ? "bare CR in header" : "invalid header value"))
        }
        while valueStart < valueEnd, HTTPSyntax.isWhitespace(bytes[valueStart]) { valueStart += 1 }
        while valueEnd > valueStart, HTTPSyntax.isWhitespace(bytes[valueEnd - 1]) { valueEnd -= 1 }
        return .success((name, string(valueStart..<valueEnd)))
    }

    func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }
}

/// Byte classes from RFC 9110 §5.6.
enum HTTPSyntax {
    static let tokenTable: [Bool] = (0..<256).map { c in
        switch UInt8(c) {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(UInt8(c))
        }
    }

    @inline(__always) static func isTokenChar(_ c: UInt8) -> Bool { tokenTable[Int(c)] }
    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    @inline(__always) static func isWhitespace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }
    /// field-vchar, SP, HTAB and obs-text; never CR, LF, NUL or other controls.
    @inline(__always) static func isFieldValueByte(_ c: UInt8) -> Bool { c == 0x09 || (c >= 0x20 && c != 0x7F) }
}

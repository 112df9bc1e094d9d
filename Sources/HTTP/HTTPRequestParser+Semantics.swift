/// Field semantics that decide framing and connection handling (RFC 9112 §6, §9.3; RFC 9110 §10.1.1).
struct HeadSemantics {
    let method: String
    let target: String
    let version: HTTPVersion
    let headers: HTTPHeaders

    func resolve() -> Result<HTTPRequestHead, HTTPParseError> {
        var hosts = 0
        var lengths: [Substring] = []
        var codings: [Substring] = []
        var sawTransferEncoding = false
        var connectionClose = false
        var connectionKeepAlive = false
        var expectations: [Substring] = []
        for field in headers {
            switch field.name.count {
            case 4 where HTTPHeaders.sameName(field.name, "host"):
                hosts += 1
            case 14 where HTTPHeaders.sameName(field.name, "content-length"):
                let values = Self.list(field.value)
                if values.isEmpty { return .failure(.badRequest("invalid Content-Length")) }
                lengths += values
            case 17 where HTTPHeaders.sameName(field.name, "transfer-encoding"):
                sawTransferEncoding = true
                codings += Self.list(field.value)
            case 10 where HTTPHeaders.sameName(field.name, "connection"):
                for token in Self.list(field.value) {
                    if HTTPHeaders.sameName(String(token), "close") { connectionClose = true }
                    if HTTPHeaders.sameName(String(token), "keep-alive") { connectionKeepAlive = true }
                }
            case 6 where HTTPHeaders.sameName(field.name, "expect"):
                expectations += Self.list(field.value)
            default:
                break
            }
        }
        // RFC 9112 §3.2: exactly one Host in HTTP/1.1, at most one in HTTP/1.0.
        if hosts > 1 || (hosts == 0 && version == .http1_1) {
            return .failure(.badRequest("exactly one Host header is required"))
        }
        let framing: HTTPRequestHead.BodyFraming
        if sawTransferEncoding {
            if !lengths.isEmpty { return .failure(.badRequest("both Content-Length and Transfer-Encoding")) }
            if version == .http1_0 { return .failure(.badRequest("Transfer-Encoding in an HTTP/1.0 request")) }
            if codings.contains(where: { !HTTPHeaders.sameName(String($0), "chunked") }) {
                return .failure(.unsupportedTransferCoding)
            }
            // Only a single, final `chunked` delimits a request body (RFC 9112 §6.3).
            guard codings.count == 1 else { return .failure(.badRequest("invalid Transfer-Encoding")) }
            framing = .chunked
        } else if let first = lengths.first {
            guard lengths.allSatisfy({ $0 == first }) else { return .failure(.badRequest("conflicting Content-Length")) }
            guard let length = Self.decimal(first) else { return .failure(.badRequest("invalid Content-Length")) }
            framing = length == 0 ? .none : .length(length)
        } else {
            framing = .none
        }
        var expectsContinue = false
        for expectation in expectations {
            guard HTTPHeaders.sameName(String(expectation), "100-continue") else { return .failure(.expectationFailed) }
            expectsContinue = version == .http1_1
        }
        let keepAlive = version == .http1_1 ? !connectionClose : (connectionKeepAlive && !connectionClose)
        return .success(HTTPRequestHead(
            method: method, target: target, version: version, headers: headers,
            keepAlive: keepAlive, expectsContinue: expectsContinue, framing: framing))
    }

    /// Splits a comma-separated list, trimming whitespace and dropping empty elements (RFC 9110 §5.6.1).
    static func list(_ value: String) -> [Substring] {
        value.split(separator: ",").compactMap { element in
            var s = element
            while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
            while let c = s.last, c == " " || c == "\t" { s.removeLast() }
            return s.isEmpty ? nil : s
        }
    }

    /// A non-negative decimal with at most 15 digits (no sign, no whitespace).
    static func decimal(_ s: Substring) -> Int? {
        guard !s.isEmpty, s.utf8.count <= 15 else { return nil }
        var value = 0
        for c in s.utf8 {
            guard HTTPSyntax.isDigit(c) else { return nil }
            value = value * 10 + Int(c - 0x30)
        }
        return value
    }
}

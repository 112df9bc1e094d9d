/// Incremental decoder for `Transfer-Encoding: chunked` (RFC 9112 §7.1), enforcing the body limit
/// as bytes arrive so an endless chunked body is refused with 413 without being buffered.
struct ChunkedState: Sendable {
    enum Step: Sendable {
        case size
        case data(remaining: Int)
        case dataEnd
        case trailers(bytes: Int)
    }

    enum Result {
        case needMore
        case done([UInt8])
        case error(HTTPParseError)
    }

    /// Longest chunk-size line accepted (size plus extensions).
    static let maxSizeLine = 4096

    let limit: Int
    var step: Step = .size
    var body: [UInt8] = []

    init(limit: Int) {
        self.limit = limit
    }

    mutating func parse(_ buffer: inout HTTPInputBuffer, maxTrailerBytes: Int) -> Result {
        while true {
            switch step {
            case .size:
                guard let line = nextLine(buffer, max: Self.maxSizeLine) else { return .needMore }
                switch line {
                case .failure(let error): return .error(error)
                case .success(let (content, total)):
                    let size: Int
                    switch parseSize(buffer, content) {
                    case .failure(let error): return .error(error)
                    case .success(let s): size = s
                    }
                    buffer.consume(total)
                    if size == 0 {
                        step = .trailers(bytes: 0)
                    } else {
                        if size > limit - body.count { return .error(.bodyTooLarge) }
                        body.reserveCapacity(body.count + size)
                        step = .data(remaining: size)
                    }
                }
            case .data(let remaining):
                let n = min(remaining, buffer.readableCount)
                if n == 0 { return .needMore }
                body.append(contentsOf: buffer.storage[buffer.readIndex..<(buffer.readIndex + n)])
                buffer.consume(n)
                step = remaining == n ? .dataEnd : .data(remaining: remaining - n)
            case .dataEnd:
                guard buffer.readableCount >= 2 else { return .needMore }
                let i = buffer.readIndex
                guard buffer.storage[i] == UInt8(ascii: "\r"), buffer.storage[i + 1] == UInt8(ascii: "\n") else {
                    return .error(.badRequest("chunk data not followed by CRLF"))
                }
                buffer.consume(2)
                step = .size
            case .trailers(let seen):
                guard let line = nextLine(buffer, max: min(maxTrailerBytes - seen + 2, 8192)) else {
                    if buffer.readableCount + seen > maxTrailerBytes + 2 {
                        return .error(.headersTooLarge("trailer section too large"))
                    }
                    return .needMore
                }
                switch line {
                case .failure(let error):
                    return .error(error.status == 431 || error.code == "line_too_long"
                        ? .headersTooLarge("trailer section too large") : error)
                case .success(let (content, total)):
                    if content.isEmpty {
                        buffer.consume(total)
                        return .done(body)
                    }
                    if let error = validateTrailer(buffer, content) { return .error(error) }
                    buffer.consume(total)
                    step = .trailers(bytes: seen + total)
                }
            }
        }
    }

    /// The next CRLF-terminated line: its content range (absolute storage indices) and total length.
    func nextLine(_ buffer: HTTPInputBuffer, max: Int) -> Swift.Result<(Range<Int>, Int), HTTPParseError>? {
        let start = buffer.readIndex
        let end = buffer.storage.count
        var i = start
        while i < end {
            if buffer.storage[i] == UInt8(ascii: "\n") {
                guard i > start, buffer.storage[i - 1] == UInt8(ascii: "\r") else {
                    return .failure(.badRequest("line not terminated by CRLF"))
                }
                return .success((start..<(i - 1), i + 1 - start))
            }
            if i - start >= max { return .failure(HTTPParseError(status: 400, code: "line_too_long", message: "chunk line too long")) }
            i += 1
        }
        if end - start > max { return .failure(HTTPParseError(status: 400, code: "line_too_long", message: "chunk line too long")) }
        return nil
    }

    /// chunk-size [ BWS ";" chunk-ext ]: 1-15 hex digits; extensions are checked for bytes and ignored.
    func parseSize(_ buffer: HTTPInputBuffer, _ range: Range<Int>) -> Swift.Result<Int, HTTPParseError> {
        var size = 0
        var i = range.lowerBound
        while i < range.upperBound, let digit = Self.hexValue(buffer.storage[i]) {
            guard i - range.lowerBound < 15 else { return .failure(.badRequest("chunk size too large")) }
            size = size << 4 | Int(digit)
            i += 1
        }
        guard i > range.lowerBound else { return .failure(.badRequest("invalid chunk size")) }
        var j = i
        while j < range.upperBound, HTTPSyntax.isWhitespace(buffer.storage[j]) { j += 1 }
        if j < range.upperBound {
            guard buffer.storage[j] == UInt8(ascii: ";") else { return .failure(.badRequest("invalid chunk size")) }
            for k in j..<range.upperBound where !HTTPSyntax.isFieldValueByte(buffer.storage[k]) {
                return .failure(.badRequest("invalid chunk extension"))
            }
        } else if j > i {
            return .failure(.badRequest("invalid chunk size"))
        }
        return .success(size)
    }

    func validateTrailer(_ buffer: HTTPInputBuffer, _ range: Range<Int>) -> HTTPParseError? {
        let first = buffer.storage[range.lowerBound]
        if HTTPSyntax.isWhitespace(first) { return .badRequest("obsolete line folding") }
        var i = range.lowerBound
        while i < range.upperBound, HTTPSyntax.isTokenChar(buffer.storage[i]) { i += 1 }
        guard i > range.lowerBound, i < range.upperBound, buffer.storage[i] == UInt8(ascii: ":") else {
            return .badRequest("malformed trailer field")
        }
        for k in (i + 1)..<range.upperBound where !HTTPSyntax.isFieldValueByte(buffer.storage[k]) {
            return .badRequest("invalid trailer value")
        }
        return nil
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

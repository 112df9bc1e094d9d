/// A pure, incremental HTTP/1.1 request parser: bytes in, events out, no I/O.
///
/// Feed it the connection's `HTTPInputBuffer` after every read and call `next(_:)` until it
/// answers `.needMore`. A request arrives as `.head` (validated request line and fields), then,
/// once the caller has chosen a body limit with `setBodyLimit(_:)` (or the default applies),
/// `.body` with the whole de-chunked body. Any `.error` is final: the caller answers with its
/// status and closes the connection. Pipelined requests are simply the next bytes in the buffer.
public struct HTTPRequestParser: Sendable {
    /// The size limits the parser enforces.
    public struct Limits: Sendable, Equatable {
        /// Longest request line in bytes, CRLF excluded (414 beyond). Default 8192.
        public var maxRequestLineBytes: Int
        /// Largest header block in bytes after the request line (431 beyond). Default 65536.
        public var maxHeaderBytes: Int
        /// Most header fields (431 beyond). Default 100.
        public var maxHeaderCount: Int
        /// Body limit used when the caller does not call `setBodyLimit` (413 beyond). Default 1 MiB.
        public var defaultBodyLimit: Int

        /// Creates limits; every argument has the documented default.
        public init(
            maxRequestLineBytes: Int = 8192, maxHeaderBytes: Int = 65536,
            maxHeaderCount: Int = 100, defaultBodyLimit: Int = 1 << 20
        ) {
            self.maxRequestLineBytes = maxRequestLineBytes
            self.maxHeaderBytes = maxHeaderBytes
            self.maxHeaderCount = maxHeaderCount
            self.defaultBodyLimit = defaultBodyLimit
        }
    }

    /// What the parser found in the buffered bytes.
    public enum Event: Sendable, Equatable {
        /// The buffered bytes do not complete the next step; read more.
        case needMore
        /// A request head is complete; its body (if any) comes next.
        case head(HTTPRequestHead)
        /// The body of the request whose head came last is complete (empty when it has none).
        case body([UInt8])
        /// The input is malformed or over a limit; answer with the status and close.
        case error(HTTPParseError)
    }

    /// Progress through an incomplete head; offsets are from the buffer's read index.
    struct HeadScan: Sendable, Equatable {
        var lineStart = 0
        var scanned = 0
        var lines = 0
        /// Where the header fields start (after the request line), once it is known.
        var fieldsStart = 0
    }

    enum State: Sendable {
        /// Looking for the end of a head.
        case head(HeadScan)
        /// A head was returned; waiting for the caller's body limit.
        case awaitingLimit(HTTPRequestHead.BodyFraming)
        case lengthBody(Int)
        case chunked(ChunkedState)
        /// An error was returned; nothing more is parsed.
        case failed(HTTPParseError)
    }

    /// The limits in force.
    public let limits: Limits
    var state: State = .head(HeadScan())

    /// Creates a parser waiting for the first request head.
    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Whether the parser is between requests with no partial head seen.
    public var isIdle: Bool {
        if case .head(let scan) = state, scan == HeadScan() { return true }
        return false
    }

    /// Whether the parser is reading a body (after `.head`, before `.body`).
    public var isReadingBody: Bool {
        switch state {
        case .awaitingLimit, .lengthBody, .chunked: return true
        default: return false
        }
    }

    /// Sets the body limit for the request whose head was just returned.
    ///
    /// Returns `.bodyTooLarge` at once when `Content-Length` exceeds it, so the caller can answer
    /// 413 before reading (or acknowledging with 100 Continue) any of the body.
    public mutating func setBodyLimit(_ limit: Int) -> HTTPParseError? {
        guard case .awaitingLimit(let framing) = state else { return nil }
        switch framing {
        case .none:
            state = .lengthBody(0)
        case .length(let n):
            if n > limit { return fail(.bodyTooLarge) }
            state = .lengthBody(n)
        case .chunked:
            state = .chunked(ChunkedState(limit: limit))
        }
        return nil
    }

    /// Parses as far as the buffered bytes allow and returns the next event.
    public mutating func next(_ buffer: inout HTTPInputBuffer) -> Event {
        switch state {
        case .failed(let error):
            return .error(error)
        case .head:
            return parseHead(&buffer)
        case .awaitingLimit:
            if let error = setBodyLimit(limits.defaultBodyLimit) { return .error(error) }
            return next(&buffer)
        case .lengthBody(let n):
            guard buffer.readableCount >= n else { return .needMore }
            state = .head(HeadScan())
            return .body(n == 0 ? [] : buffer.take(n))
        case .chunked(var chunked):
            let result = chunked.parse(&buffer, maxTrailerBytes: limits.maxHeaderBytes)
            switch result {
            case .needMore:
                state = .chunked(chunked)
                return .needMore
            case .done(let body):
                state = .head(HeadScan())
                return .body(body)
            case .error(let error):
                return .error(fail(error))
            }
        }
    }

    mutating func fail(_ error: HTTPParseError) -> HTTPParseError {
        state = .failed(error)
        return error
    }

    /// Finds the end of the head, enforcing the size limits while it is incomplete.
    mutating func parseHead(_ buffer: inout HTTPInputBuffer) -> Event {
        guard case .head(var scan) = state else { return .needMore }
        let limits = self.limits
        let base = buffer.readIndex
        let count = buffer.readableCount
        var headEnd = -1
        var skip = 0
        var error: HTTPParseError?
        buffer.storage.withUnsafeBufferPointer { all in
            let bytes = UnsafeBufferPointer(rebasing: all[base...])
            while scan.scanned < count {
                guard bytes[scan.scanned] == UInt8(ascii: "\n") else {
                    scan.scanned += 1
                    continue
                }
                let lineEnd = scan.scanned
                scan.scanned += 1
                let length = lineEnd - scan.lineStart
                let isEmpty = length == 0 || (length == 1 && bytes[scan.lineStart] == UInt8(ascii: "\r"))
                if isEmpty && scan.lines == 0 {
                    // RFC 9112 §2.2: empty lines before the request line are ignored.
                    scan.lineStart = scan.scanned
                    skip = scan.scanned
                    continue
                }
                if isEmpty {
                    headEnd = scan.scanned
                    return
                }
                if scan.lines == 0 {
                    if length - (bytes[lineEnd &- 1] == UInt8(ascii: "\r") ? 1 : 0) > limits.maxRequestLineBytes {
                        error = .uriTooLong
                        return
                    }
                    scan.fieldsStart = scan.scanned
                }
                scan.lines += 1
                if scan.lines > limits.maxHeaderCount + 1 {
                    error = .headersTooLarge("too many header fields")
                    return
                }
                scan.lineStart = scan.scanned
            }
        }
        if let error { return .error(fail(error)) }
        if headEnd < 0 {
            // Limits apply while the head is incomplete, so a slow or endless head cannot grow the buffer.
            if scan.lines == 0 && scan.scanned - skip > limits.maxRequestLineBytes + 2 {
                return .error(fail(.uriTooLong))
            }
            if scan.lines > 0 && scan.scanned - scan.fieldsStart >= limits.maxHeaderBytes + 2 {
                return .error(fail(.headersTooLarge("header block too large")))
            }
            scan.lineStart -= skip
            scan.scanned -= skip
            scan.fieldsStart -= min(skip, scan.fieldsStart)
            state = .head(scan)
            if skip > 0 { buffer.consume(skip) }
            return .needMore
        }
        let result = buffer.storage.withUnsafeBufferPointer { all in
            HeadParser(bytes: UnsafeBufferPointer(rebasing: all[(base + skip)..<(base + headEnd)]), limits: limits).parse()
        }
        buffer.consume(headEnd)
        switch result {
        case .success(let head):
            state = .awaitingLimit(head.framing)
            return .head(head)
        case .failure(let error):
            return .error(fail(error))
        }
    }
}

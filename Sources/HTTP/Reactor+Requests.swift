#if canImport(Glibc)
import Glibc
#endif

/// The per-connection request cycle: parse, dispatch, respond, write, close.
extension Reactor {
    /// Parses and dispatches buffered requests one at a time, so pipelined responses stay in order.
    func process(_ c: Connection, _ now: UInt64) {
        while c.phase == .reading && c.socket.isOpen {
            if c.pendingOutput >= Self.maxPendingOutput { return }
            switch c.parser.next(&c.input) {
            case .needMore:
                if c.peerClosed {
                    // A partial request from a peer that has gone can never complete.
                    if c.pendingOutput > 0 { c.phase = .closing } else { close(c) }
                } else if draining && !c.hasPartialRequest {
                    c.phase = .closing
                    if c.pendingOutput == 0 { close(c) }
                }
                return
            case .head(let head):
                c.head = head
                c.match = dispatcher.router.match(method: head.method, path: Self.path(of: head.target))
                var limit = config.defaultBodyLimit
                if case .found(let route, _) = c.match, let routeLimit = route.bodyLimit { limit = routeLimit }
                if let error = c.parser.setBodyLimit(limit) {
                    fail(c, error, now)
                    return
                }
                if head.hasBody {
                    c.timer = .body
                    c.deadline = now &+ timeouts.body
                    // RFC 9110 §10.1.1: the client waits for this before sending the body.
                    if head.expectsContinue && c.input.isEmpty { enqueue(c, HTTPResponseWriter.continueResponse, now) }
                }
            case .body(let body):
                guard let head = c.head else { return }
                c.head = nil
                c.timer = .none
                c.phase = .handling
                let keepAlive = head.keepAlive && !draining && !c.peerClosed
                let match = c.match
                c.match = .notFound
                if let bytes = dispatcher.dispatch(head: head, body: body, match: match, connectionID: c.id, keepAlive: keepAlive) {
                    respond(c, bytes, close: !keepAlive, now)
                }
            case .error(let error):
                fail(c, error, now)
                return
            }
        }
    }

    /// Queues a response; either waits for the next request or closes after writing.
    func respond(_ c: Connection, _ bytes: [UInt8], close shouldClose: Bool, _ now: UInt64) {
        if shouldClose {
            c.phase = .closing
            c.timer = .none
        } else {
            c.phase = .reading
            if c.input.isEmpty {
                c.timer = .idle
                c.deadline = now &+ timeouts.idle
            } else {
                c.timer = .head
                c.deadline = now &+ timeouts.header
            }
        }
        enqueue(c, bytes, now)
    }

    /// Answers a parse error or timeout and closes, lingering so the client can read the answer.
    func fail(_ c: Connection, _ error: HTTPParseError, _ now: UInt64) {
        c.lingerOnClose = true
        let bytes = dispatcher.reject(error, method: c.head?.method ?? "-")
        respond(c, bytes, close: true, now)
    }

    func enqueue(_ c: Connection, _ bytes: [UInt8], _ now: UInt64) {
        if c.pendingOutput == 0 {
            c.output = bytes
            c.outputOffset = 0
        } else {
            c.output.append(contentsOf: bytes)
        }
        flush(c, now)
    }

    /// Writes pending output until the socket would block; starts the write deadline when it does.
    func flush(_ c: Connection, _ now: UInt64) {
        while c.pendingOutput > 0 {
            let result = c.output.withUnsafeBytes { all in
                Sockets.send(c.fd, UnsafeRawBufferPointer(rebasing: all[c.outputOffset...]))
            }
            switch result {
            case .bytes(let n):
                c.outputOffset += n
            case .wouldBlock:
                if c.writeDeadline == 0 { c.writeDeadline = now &+ timeouts.write }
                return
            case .closed, .failed:
                close(c)
                return
            }
        }
        if c.output.capacity > 1 << 16 { c.output = [] } else { c.output.removeAll(keepingCapacity: true) }
        c.outputOffset = 0
        c.writeDeadline = 0
        if c.phase == .closing { finishClosing(c, now) }
    }

    /// After the final response: close at once when nothing more can arrive, else shut the write
    /// side and discard input for a while, so unread request bytes do not turn the close into an
    /// RST that destroys the response in flight.
    func finishClosing(_ c: Connection, _ now: UInt64) {
        if c.peerClosed || (!c.lingerOnClose && c.input.isEmpty) {
            close(c)
            return
        }
        _ = shutdown(c.fd, Int32(SHUT_WR))
        c.phase = .lingering
        c.timer = .linger
        c.deadline = now &+ Self.lingerNanoseconds
        c.input = HTTPInputBuffer()
    }

    static func path(of target: String) -> String {
        guard let q = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return target }
        return String(target[..<q])
    }
}

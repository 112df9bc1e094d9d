/// One accepted connection's state; owned and touched only by the reactor thread.
final class Connection {
    /// Where the connection is in its request cycle.
    enum Phase {
        /// Reading (and parsing) the next request.
        case reading
        /// A handler task is running; its response will arrive through the inbox.
        case handling
        /// Flushing a final response; then the write side is shut and the input drained.
        case closing
        /// Write side shut; discarding input until EOF or the linger deadline (avoids an RST that
        /// could destroy the final response before the client reads it).
        case lingering
    }

    /// What the current deadline guards.
    enum Timer {
        case none
        /// Between requests on a kept-alive connection.
        case idle
        /// From accept or the first byte until the head is complete.
        case head
        /// From the end of the head until the body is complete.
        case body
        /// Until `lingering` ends.
        case linger
    }

    let id: UInt64
    let socket: FileDescriptor
    /// Whether it counts towards `maxConnections` (rejected connections do not).
    let counted: Bool
    var phase: Phase = .reading
    var input = HTTPInputBuffer()
    var parser: HTTPRequestParser
    var output: [UInt8] = []
    var outputOffset = 0
    var timer: Timer = .head
    var deadline: UInt64
    /// When pending output has waited since, or 0 while there is none.
    var writeDeadline: UInt64 = 0
    /// Registered epoll interest.
    var interest: UInt32
    var peerClosed = false
    /// Whether to linger after the final response (errors: the client may still be sending).
    var lingerOnClose = false
    var head: HTTPRequestHead?
    var match: Router.Match = .notFound

    init(id: UInt64, fd: Int32, counted: Bool, limits: HTTPRequestParser.Limits, deadline: UInt64, interest: UInt32) {
        self.id = id
        self.socket = FileDescriptor(fd)
        self.counted = counted
        self.parser = HTTPRequestParser(limits: limits)
        self.deadline = deadline
        self.interest = interest
    }

    var fd: Int32 { socket.fd }
    var pendingOutput: Int { output.count - outputOffset }

    /// Whether a request is partly received (a timeout then deserves a 408 rather than a silent close).
    var hasPartialRequest: Bool { !(parser.isIdle && input.isEmpty) }
}

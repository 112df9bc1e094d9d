import CEpoll
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// The epoll event loop: accepts, reads, parses, writes and enforces timeouts for every connection
/// on one dedicated thread. Handlers run elsewhere (as tasks); their responses come back through
/// the `ReactorInbox`, whose eventfd wakes this loop. Nothing here blocks: every socket is
/// non-blocking and `epoll_wait` is the only place the thread sleeps.
final class Reactor {
    static let listenerID: UInt64 = 0
    static let wakeID: UInt64 = 1
    static let readable = EPOLLIN.rawValue
    static let writable = EPOLLOUT.rawValue
    /// Stop reading a connection while this much output is unsent (a client that pipelines but never reads).
    static let maxPendingOutput = 256 * 1024
    /// Stop reading ahead while a handler runs once this much input is buffered.
    static let maxReadAhead = 64 * 1024
    static let lingerNanoseconds: UInt64 = 2_000_000_000
    static let sweepNanoseconds: UInt64 = 100_000_000

    let epoll: FileDescriptor
    var listener: FileDescriptor?
    let inbox: ReactorInbox
    let dispatcher: RequestDispatcher
    let config: HTTPServerConfiguration
    let limits: HTTPRequestParser.Limits
    let logger: Logger
    var connections: [UInt64: Connection] = [:]
    var nextID: UInt64 = 2
    let counter: ConnectionCounter
    var draining = false
    var drainDeadline: UInt64 = 0
    var lastSweep: UInt64 = 0
    /// A reserved descriptor, released to accept-and-refuse one connection when the process is out of them.
    var spare: FileDescriptor
    let scratch: UnsafeMutableRawBufferPointer
    let timeouts: (header: UInt64, body: UInt64, idle: UInt64, write: UInt64, drain: UInt64)

    init(
        listenerFD: Int32, inbox: ReactorInbox, dispatcher: RequestDispatcher, counter: ConnectionCounter,
        config: HTTPServerConfiguration, logger: Logger
    ) throws {
        let listener = FileDescriptor(listenerFD)
        let fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard fd >= 0 else { throw SystemError(call: "epoll_create1", errno: errno) }
        epoll = FileDescriptor(fd)
        self.listener = listener
        self.inbox = inbox
        self.dispatcher = dispatcher
        self.counter = counter
        self.config = config
        self.limits = config.parserLimits
        self.logger = logger
        spare = FileDescriptor(open("/dev/null", O_RDONLY | O_CLOEXEC))
        scratch = .allocate(byteCount: 64 * 1024, alignment: 16)
        timeouts = (
            config.headerReadTimeout.nanoseconds, config.bodyReadTimeout.nanoseconds, config.idleTimeout.nanoseconds,
            config.writeTimeout.nanoseconds, config.drainTimeout.nanoseconds
        )
        try control(EPOLL_CTL_ADD, fd: listener.fd, id: Self.listenerID, events: Self.readable)
        try control(EPOLL_CTL_ADD, fd: inbox.wakeFD, id: Self.wakeID, events: Self.readable)
    }

    deinit {
        scratch.deallocate()
    }

    func control(_ op: Int32, fd: Int32, id: UInt64, events: UInt32) throws {
        var event = epoll_event()
        event.events = events
        event.data.u64 = id
        guard epoll_ctl(epoll.fd, op, fd, &event) == 0 else { throw SystemError(call: "epoll_ctl", errno: errno) }
    }

    /// Runs until a requested drain completes or times out, then closes every connection.
    func run() {
        let capacity = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        defer { events.deallocate() }
        lastSweep = Sockets.now()
        inbox.markReactorThread()
        let executor = dispatcher.executor
        defer { executor?.stop() }
        while true {
            var timeout: Int32 = connections.isEmpty && !draining ? -1 : 100
            if executor?.hasJobs == true { timeout = 0 }
            let n = epoll_wait(epoll.fd, events, Int32(capacity), timeout)
            if n < 0 {
                if errno == EINTR { continue }
                logger.critical("epoll_wait failed", metadata: ["error": "\(SystemError(call: "epoll_wait", errno: errno))"])
                break
            }
            let now = Sockets.now()
            for i in 0..<Int(n) {
                let event = events[i]
                switch event.data.u64 {
                case Self.listenerID: acceptAll(now)
                case Self.wakeID:
                    inbox.clearWake()
                    drainInbox(now)
                case let id:
                    if let connection = connections[id] { handle(connection, events: event.events, now: now) }
                }
            }
            if let executor {
                // Handlers started above run here; their responses are written before the next wait.
                for _ in 0..<16 {
                    guard executor.runQueuedJobs() > 0 else { break }
                    drainInbox(now)
                }
            }
            if now &- lastSweep >= Self.sweepNanoseconds { sweep(now) }
            if draining && (connections.isEmpty || now >= drainDeadline) { break }
        }
        if !connections.isEmpty {
            logger.warning("drain timeout: closing connections", metadata: ["http.connections": "\(connections.count)"])
        }
        for connection in Array(connections.values) { close(connection) }
        listener?.close()
    }

    func handle(_ c: Connection, events: UInt32, now: UInt64) {
        if events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 {
            close(c)
            return
        }
        if events & Self.writable != 0 {
            flush(c, now)
            if c.phase == .reading { process(c, now) }
        }
        if events & Self.readable != 0, c.socket.isOpen {
            readable(c, now)
        }
        updateInterest(c)
    }

    func readable(_ c: Connection, _ now: UInt64) {
        for _ in 0..<4 {
            switch Sockets.receive(c.fd, into: scratch) {
            case .bytes(let n):
                if c.phase != .lingering { c.input.append(UnsafeRawBufferPointer(rebasing: scratch[0..<n])) }
                if n < scratch.count { break }
                continue
            case .wouldBlock:
                break
            case .closed:
                c.peerClosed = true
            case .failed:
                close(c)
                return
            }
            break
        }
        switch c.phase {
        case .lingering:
            if c.peerClosed { close(c) }
        case .reading:
            if c.timer == .idle && !c.input.isEmpty {
                c.timer = .head
                c.deadline = now &+ timeouts.header
            }
            process(c, now)
        case .handling, .closing:
            break
        }
    }

    func drainInbox(_ now: UInt64) {
        let (completions, stopRequested) = inbox.drain()
        for completion in completions {
            guard let c = connections[completion.connectionID], c.phase == .handling else { continue }
            respond(c, completion.bytes, close: completion.close || draining || c.peerClosed, now)
            if c.phase == .reading { process(c, now) }
            updateInterest(c)
        }
        if stopRequested && !draining { beginDrain(now) }
    }

    func updateInterest(_ c: Connection) {
        guard c.socket.isOpen else { return }
        var want: UInt32 = 0
        switch c.phase {
        case .reading: if c.pendingOutput < Self.maxPendingOutput && !c.peerClosed { want |= Self.readable }
        case .handling: if c.input.readableCount < Self.maxReadAhead && !c.peerClosed { want |= Self.readable }
        case .lingering: want |= Self.readable
        case .closing: break
        }
        if c.pendingOutput > 0 { want |= Self.writable }
        guard want != c.interest else { return }
        do {
            try control(EPOLL_CTL_MOD, fd: c.fd, id: c.id, events: want)
            c.interest = want
        } catch {
            close(c)
        }
    }

    func close(_ c: Connection) {
        guard c.socket.isOpen else { return }
        c.socket.close()
        connections[c.id] = nil
        if c.counted {
            let open = counter.release()
            dispatcher.observer?.connectionsChanged(open: open)
        }
    }
}

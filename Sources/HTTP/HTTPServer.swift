import Foundation
import Logging
import Synchronization

/// An HTTP/1.1 server over non-blocking POSIX sockets with an epoll reactor on its own thread.
///
/// The reactor thread accepts, reads, parses and writes; each complete request runs its handler as
/// a Swift task with `TraceContext.current` bound, and the response travels back to the reactor
/// through an eventfd-woken inbox. See docs/http-server.md for the design and the limits.
public final class HTTPServer: Sendable {
    enum State {
        case idle
        case running([ReactorInbox])
        case stopped
    }

    /// The configuration the server was created with.
    public let configuration: HTTPServerConfiguration
    let router: Router
    let logger: Logger
    let observer: (any HTTPServerObserver)?
    private let state = Mutex(State.idle)

    /// Creates a server; nothing is bound until `start()`.
    public init(configuration: HTTPServerConfiguration, router: Router, logger: Logger, observer: (any HTTPServerObserver)? = nil) {
        self.configuration = configuration
        self.router = router
        self.logger = logger
        self.observer = observer
    }

    /// Binds and listens, starts the reactor threads, and returns the bound port.
    ///
    /// Raises the soft open-files limit to the hard limit first. Throws when binding fails or the
    /// server was already started.
    @discardableResult
    public func start() throws -> Int {
        Sockets.raiseOpenFileLimit()
        let config = configuration
        let threads = max(1, config.reactorThreads)
        var listeners: [Int32] = []
        var port = config.port
        do {
            for _ in 0..<threads {
                let (fd, bound) = try Sockets.listen(host: config.host, port: port, backlog: config.backlog, reusePort: threads > 1)
                listeners.append(fd)
                port = bound
            }
        } catch {
            for fd in listeners { _ = Glibc.close(fd) }
            throw error
        }
        var inboxes: [ReactorInbox] = []
        do {
            for _ in 0..<threads { inboxes.append(try ReactorInbox()) }
        } catch {
            for fd in listeners { _ = Glibc.close(fd) }
            throw error
        }
        let alreadyStarted = state.withLock { state in
            guard case .idle = state else { return true }
            state = .running(inboxes)
            return false
        }
        if alreadyStarted {
            for fd in listeners { _ = Glibc.close(fd) }
            throw SystemError(call: "HTTPServer.start (already started)", errno: EALREADY)
        }
        let counter = ConnectionCounter()
        for (index, (listenerFD, inbox)) in zip(listeners, inboxes).enumerated() {
            let executor = config.handlerExecution == .reactorThread ? ReactorExecutor(inbox: inbox) : nil
            let dispatcher = RequestDispatcher(router: router, logger: logger, observer: observer, inbox: inbox, executor: executor)
            let logger = self.logger
            let thread = Thread {
                do {
                    let reactor = try Reactor(
                        listenerFD: listenerFD, inbox: inbox, dispatcher: dispatcher, counter: counter, config: config, logger: logger)
                    reactor.run()
                } catch {
                    // The reactor's init already owned (and on failure closed) the listening socket.
                    executor?.stop()
                    logger.critical("HTTP reactor failed to start", metadata: ["error": "\(error)"])
                }
                inbox.markExited()
            }
            thread.name = "http-reactor-\(index)"
            thread.start()
        }
        logger.info("listening", metadata: ["http.host": "\(config.host)", "http.port": "\(port)", "http.threads": "\(threads)"])
        return port
    }

    /// Stops accepting, lets in-flight requests finish within `drainTimeout`, then closes every
    /// connection. Returns when every reactor thread has exited; safe to call more than once.
    public func shutdown() async {
        let inboxes: [ReactorInbox] = state.withLock { state in
            switch state {
            case .running(let inboxes):
                return inboxes
            case .idle:
                state = .stopped
                return []
            case .stopped:
                return []
            }
        }
        for inbox in inboxes { inbox.requestStop() }
        for inbox in inboxes { await inbox.waitForExit() }
        state.withLock { $0 = .stopped }
    }
}

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
        case running(ReactorInbox)
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

    /// Binds and listens, starts the reactor thread, and returns the bound port.
    ///
    /// Raises the soft open-files limit to the hard limit first. Throws when binding fails or the
    /// server was already started.
    @discardableResult
    public func start() throws -> Int {
        Sockets.raiseOpenFileLimit()
        let config = configuration
        let (listenerFD, port) = try Sockets.listen(host: config.host, port: config.port, backlog: config.backlog)
        let inbox: ReactorInbox
        do {
            inbox = try ReactorInbox()
        } catch {
            _ = Glibc.close(listenerFD)
            throw error
        }
        let dispatcher = RequestDispatcher(router: router, logger: logger, observer: observer, inbox: inbox)
        let alreadyStarted = state.withLock { state in
            guard case .idle = state else { return true }
            state = .running(inbox)
            return false
        }
        if alreadyStarted {
            _ = Glibc.close(listenerFD)
            throw SystemError(call: "HTTPServer.start (already started)", errno: EALREADY)
        }
        let logger = self.logger
        let thread = Thread {
            do {
                let reactor = try Reactor(listenerFD: listenerFD, inbox: inbox, dispatcher: dispatcher, config: config, logger: logger)
                reactor.run()
            } catch {
                // The reactor's init already owned (and on failure closed) the listening socket.
                logger.critical("HTTP reactor failed to start", metadata: ["error": "\(error)"])
            }
            inbox.markExited()
        }
        thread.name = "http-reactor"
        thread.start()
        logger.info("listening", metadata: ["http.host": "\(config.host)", "http.port": "\(port)"])
        return port
    }

    /// Stops accepting, lets in-flight requests finish within `drainTimeout`, then closes every
    /// connection. Returns when the reactor thread has exited; safe to call more than once.
    public func shutdown() async {
        let inbox: ReactorInbox? = state.withLock { state in
            switch state {
            case .running(let inbox):
                return inbox
            case .idle:
                state = .stopped
                return nil
            case .stopped:
                return nil
            }
        }
        guard let inbox else { return }
        await inbox.requestStopAndWait()
        state.withLock { $0 = .stopped }
    }
}

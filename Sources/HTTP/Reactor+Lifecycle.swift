import CEpoll
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Accepting, the connection limit, timeouts and draining.
extension Reactor {
    /// The answer to a connection over `maxConnections`, sent before any request is read.
    static var overloaded: [UInt8] {
        HTTPResponseWriter.serialize(
            .error(status: 503, code: "unavailable", message: "too many connections"), keepAlive: false)
    }

    func acceptAll(_ now: UInt64) {
        guard let listener, listener.isOpen else { return }
        for _ in 0..<256 {
            guard let result = Sockets.accept(listener.fd) else { return }
            switch result {
            case .failure(let error):
                if error.errno == EMFILE || error.errno == ENFILE {
                    refuseWithSpareDescriptor(listener.fd)
                } else {
                    logger.warning("accept failed", metadata: ["error": "\(error)"])
                }
                return
            case .success(let fd):
                let id = nextID
                nextID += 1
                let open = draining ? nil : counter.admit(limit: config.maxConnections)
                let admitted = open != nil
                let c = Connection(
                    id: id, fd: fd, counted: admitted, limits: limits,
                    deadline: now &+ timeouts.header, interest: Self.readable)
                do {
                    try control(EPOLL_CTL_ADD, fd: fd, id: id, events: Self.readable)
                } catch {
                    logger.warning("epoll_ctl add failed", metadata: ["error": "\(error)"])
                    if admitted { _ = counter.release() }
                    continue
                }
                connections[id] = c
                if let open {
                    dispatcher.observer?.connectionsChanged(open: open)
                } else {
                    logger.warning("connection refused: limit reached", metadata: ["http.max_connections": "\(config.maxConnections)"])
                    dispatcher.observer?.requestCompleted(method: "-", route: "unmatched", status: 503, duration: .zero)
                    c.lingerOnClose = true
                    respond(c, Self.overloaded, close: true, now)
                    updateInterest(c)
                }
            }
        }
    }

    /// Out of descriptors: free the spare, accept and refuse one connection, take the spare back,
    /// so the listener does not stay readable forever (a busy loop) while the limit lasts.
    func refuseWithSpareDescriptor(_ listenerFD: Int32) {
        spare.close()
        if case .success(let fd)? = Sockets.accept(listenerFD) {
            Self.overloaded.withUnsafeBytes { _ = Sockets.send(fd, $0) }
            _ = Glibc.close(fd)
        }
        spare = FileDescriptor(open("/dev/null", O_RDONLY | O_CLOEXEC))
        logger.warning("out of file descriptors: refused a connection")
    }

    /// Enforces every connection's deadline; called about every 100 ms.
    func sweep(_ now: UInt64) {
        lastSweep = now
        var expired: [Connection] = []
        for c in connections.values {
            if (c.writeDeadline != 0 && now >= c.writeDeadline) || (c.timer != .none && now >= c.deadline) {
                expired.append(c)
            } else if draining && c.phase == .reading && !c.hasPartialRequest && c.pendingOutput == 0 {
                expired.append(c)
            }
        }
        for c in expired {
            if c.writeDeadline != 0 && now >= c.writeDeadline {
                close(c)
                continue
            }
            switch c.timer {
            case .head where c.hasPartialRequest, .body:
                fail(c, .requestTimeout, now)
                updateInterest(c)
            default:
                close(c)
            }
        }
    }

    /// Stops accepting and closes idle connections; busy ones close after their current response.
    func beginDrain(_ now: UInt64) {
        draining = true
        drainDeadline = now &+ timeouts.drain
        if let listener {
            _ = epoll_ctl(epoll.fd, EPOLL_CTL_DEL, listener.fd, nil)
            listener.close()
        }
        listener = nil
        for c in Array(connections.values) where c.phase == .reading && !c.hasPartialRequest && c.pendingOutput == 0 {
            close(c)
        }
        logger.info("draining", metadata: ["http.connections": "\(connections.count)"])
    }
}

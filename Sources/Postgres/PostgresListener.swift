import CLibPQ
import Foundation
import Logging

/// What a `PostgresListener` delivers.
public enum PostgresListenerEvent: Sendable, Equatable {
    /// A `NOTIFY` on one of the channels.
    case notification(PostgresNotification)
    /// (Re)connected and listening; notifications sent while disconnected are lost, so a
    /// consumer should do a full pass now.
    case connected
}

/// `LISTEN` on a dedicated connection and thread, reconnecting with backoff when the
/// connection breaks. The thread waits with `poll(2)` on the libpq socket (at most 200 ms at a
/// time so `stop()` is prompt) and never touches the cooperative pool.
public final class PostgresListener: Sendable {
    /// The events, in arrival order. Ends after `stop()`.
    public let events: AsyncStream<PostgresListenerEvent>
    private let state: ListenerState

    /// Starts listening on `channels` (plain identifiers: letters, digits, `_`).
    public init(configuration: PostgresConfiguration, channels: [String], logger: Logger) throws {
        for channel in channels where channel.isEmpty || !channel.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) {
            throw PostgresError(.unexpectedResult, "invalid LISTEN channel name")
        }
        let (stream, continuation) = AsyncStream.makeStream(of: PostgresListenerEvent.self, bufferingPolicy: .bufferingNewest(10_000))
        self.events = stream
        let state = ListenerState()
        self.state = state
        let thread = Thread {
            ListenerLoop(configuration: configuration, channels: channels, logger: logger, state: state, output: continuation).run()
        }
        thread.name = "runway-pg-listen"
        thread.start()
    }

    deinit { state.stop() }

    /// Stops the thread and closes the connection; `events` finishes.
    public func stop() { state.stop() }
}

final class ListenerState: @unchecked Sendable {
    // Safety: `stopped` is only touched while holding `lock`.
    private let lock = NSLock()
    private var stopped = false
    func stop() { lock.lock(); stopped = true; lock.unlock() }
    var isStopped: Bool { lock.lock(); defer { lock.unlock() }; return stopped }
}

private struct ListenerLoop {
    let configuration: PostgresConfiguration
    let channels: [String]
    let logger: Logger
    let state: ListenerState
    let output: AsyncStream<PostgresListenerEvent>.Continuation

    func run() {
        var backoff = 0.1
        while !state.isStopped {
            do {
                let connection = try PostgresConnection.connect(configuration)
                for channel in channels { try connection.execute("LISTEN \"\(channel)\"") }
                output.yield(.connected)
                backoff = 0.1
                try listen(on: connection)
            } catch {
                if state.isStopped { break }
                logger.warning("postgres listener disconnected; reconnecting", metadata: ["error": "\(error)"])
                Thread.sleep(forTimeInterval: backoff)
                backoff = min(backoff * 2, 5)
            }
        }
        output.finish()
    }

    private func listen(on connection: PostgresConnection) throws {
        while !state.isStopped {
            var fd = pollfd(fd: connection.socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&fd, 1, 200)
            if ready < 0 && errno != EINTR {
                throw PostgresError(.connectionLost, "poll failed on the listener socket")
            }
            if ready > 0 {
                for notification in try connection.drainNotifications() { output.yield(.notification(notification)) }
            }
        }
    }
}

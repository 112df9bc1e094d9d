import Foundation
import Logging

/// A bounded pool of libpq connections, each owned by its own dedicated thread.
///
/// libpq calls block, so they never run on Swift's cooperative pool: `withConnection` enqueues
/// a synchronous closure on a FIFO served by `poolSize` named threads (`runway-pg-N`), each
/// holding one connection, and suspends the caller until it is done. The closure being
/// synchronous also means a transaction can never span a network call or an `await`.
///
/// Healing: before each use a thread checks its connection (status, a FATAL waiting on the
/// socket, an open transaction) and reconnects if needed. Work in flight when the connection
/// breaks fails with a retryable `PostgresError(.connectionLost)`; the next work reconnects.
public final class PostgresPool: Sendable {
    /// The pool's configuration.
    public let configuration: PostgresConfiguration
    private let queue = WorkQueue()
    private let outage: OutageLog

    /// Starts `poolSize` threads; connections open lazily on first use.
    public init(configuration: PostgresConfiguration, logger: Logger) {
        self.configuration = configuration
        self.outage = OutageLog(logger: logger)
        for index in 0..<max(1, configuration.poolSize) {
            let thread = Thread { [queue, configuration] in
                let slot = ConnectionSlot(configuration: configuration)
                while let item = queue.pop() { item.run(slot) }
            }
            thread.name = "runway-pg-\(index)"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    deinit { queue.close() }

    /// Stops accepting work; queued work still runs, then the threads close their connections.
    public func shutdown() { queue.close() }

    /// Work items waiting for a free connection.
    public var queueDepth: Int { queue.depth }

    /// Runs `body` on a pool thread with a healthy connection.
    ///
    /// Cancelling the calling task does not interrupt a running statement (the server's
    /// `statement_timeout` bounds it).
    public func withConnection<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        let acquireTimeout = configuration.acquireTimeout
        let outage = self.outage
        let enqueued = ContinuousClock.now
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let item = WorkItem { slot in
                guard ContinuousClock.now - enqueued <= acquireTimeout else {
                    return continuation.resume(throwing: PostgresError(.poolExhausted, "no free connection within the acquire timeout"))
                }
                do {
                    let connection = try slot.acquire()
                    let value = try body(connection)
                    slot.checkAfterUse()
                    outage.succeeded()
                    continuation.resume(returning: value)
                } catch {
                    slot.checkAfterUse()
                    if let pg = error as? PostgresError, pg.code == .connectionLost || pg.code == .connectionFailed {
                        outage.failed(pg)
                    }
                    continuation.resume(throwing: error)
                }
            }
            if !queue.push(item) {
                continuation.resume(throwing: PostgresError(.poolClosed, "pool is shut down"))
            }
        }
    }

    /// Runs `body` in one transaction (`BEGIN … COMMIT`, rolled back when it throws).
    public func transaction<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        try await withConnection { connection in try connection.transaction { try body(connection) } }
    }

    /// Runs one parameterised statement in its own implicit transaction.
    @discardableResult
    public func query(_ sql: String, _ binds: [PostgresValue] = []) async throws -> PostgresRows {
        try await withConnection { connection in try connection.query(sql, binds) }
    }
}

/// Logs a database outage once when it starts, then at most every 10 s with a count, and
/// once when it ends, instead of once per failed statement.
final class OutageLog: @unchecked Sendable {
    // Safety: the mutable fields are only touched while holding `lock`.
    private let lock = NSLock()
    private let logger: Logger
    private var failures = 0
    private var lastLogged: ContinuousClock.Instant?

    init(logger: Logger) { self.logger = logger }

    func failed(_ error: PostgresError) {
        lock.lock()
        failures += 1
        let now = ContinuousClock.now
        let due = lastLogged.map { now - $0 >= .seconds(10) } ?? true
        if due { lastLogged = now }
        let count = failures
        lock.unlock()
        if due {
            logger.error("postgres unavailable; failing work with a retryable error", metadata: [
                "error": "\(error)", "db.failures": "\(count)",
            ])
        }
    }

    func succeeded() {
        lock.lock()
        guard failures > 0 else { return lock.unlock() }
        let count = failures
        failures = 0
        lastLogged = nil
        lock.unlock()
        logger.notice("postgres connection restored", metadata: ["db.failures": "\(count)"])
    }
}

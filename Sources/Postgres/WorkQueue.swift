import Foundation

/// A unit of work for a pool thread: runs with that thread's connection slot.
struct WorkItem: Sendable {
    let run: @Sendable (ConnectionSlot) -> Void
}

/// A blocking FIFO shared by the pool's threads.
final class WorkQueue: @unchecked Sendable {
    // Safety: `items`, `head` and `closed` are only touched while holding `condition`.
    private let condition = NSCondition()
    private var items: [WorkItem] = []
    private var head = 0
    private var closed = false

    /// Appends an item; `false` once the queue is closed.
    func push(_ item: WorkItem) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return false }
        items.append(item)
        condition.signal()
        return true
    }

    /// Blocks until an item is available; `nil` once closed and drained.
    func pop() -> WorkItem? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count && !closed { condition.wait() }
        guard head < items.count else { return nil }
        let item = items[head]
        head += 1
        if head > 1024 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return item
    }

    /// Items waiting for a thread.
    var depth: Int {
        condition.lock()
        defer { condition.unlock() }
        return items.count - head
    }

    /// Stops accepting work and wakes every waiting thread.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}

/// The connection a pool thread owns; reconnects lazily when the old one broke.
final class ConnectionSlot {
    let configuration: PostgresConfiguration
    private var connection: PostgresConnection?

    init(configuration: PostgresConfiguration) { self.configuration = configuration }

    /// A healthy connection, reconnecting first if the server restarted or the link broke.
    func acquire() throws -> PostgresConnection {
        if let connection, connection.isHealthy { return connection }
        connection = nil
        let fresh = try PostgresConnection.connect(configuration)
        connection = fresh
        return fresh
    }

    /// Drops the connection if it is no longer usable, so the next item reconnects.
    func checkAfterUse() {
        if let connection, !connection.isHealthy { self.connection = nil }
    }
}

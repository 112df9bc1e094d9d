import Foundation

/// One `record` call waiting for its row to be committed by whichever flush takes it.
final class RecordTicket: @unchecked Sendable {
    // Safety: `result` and `continuation` are only touched while holding `lock`.
    let event: WorkflowJobEvent
    private let lock = NSLock()
    private var result: Result<RecordOutcome, any Error>?
    private var continuation: CheckedContinuation<RecordOutcome, any Error>?

    init(event: WorkflowJobEvent) { self.event = event }

    /// Delivers the outcome exactly once.
    func complete(_ outcome: Result<RecordOutcome, any Error>) {
        lock.lock()
        if let continuation {
            self.continuation = nil
            lock.unlock()
            continuation.resume(with: outcome)
            return
        }
        if result == nil { result = outcome }
        lock.unlock()
    }

    /// Waits for `complete`.
    func wait() async throws -> RecordOutcome {
        try await withCheckedThrowingContinuation { continuation in
            lock.lock()
            if let result {
                lock.unlock()
                continuation.resume(with: result)
            } else {
                self.continuation = continuation
                lock.unlock()
            }
        }
    }
}

/// Group commit for `record`: callers enqueue tickets, and at most `maxFlushers` pool threads
/// at a time drain the queue, committing up to `maxBatch` events per transaction. A caller whose
/// ticket another flusher took simply waits for it; nobody returns before its row is durable.
final class RecordBatcher: @unchecked Sendable {
    // Safety: `queue` and `flushers` are only touched while holding `lock`.
    let maxBatch: Int
    let maxFlushers: Int
    private let lock = NSLock()
    private var queue: [RecordTicket] = []
    private var flushers = 0

    init(maxBatch: Int, maxFlushers: Int) {
        self.maxBatch = maxBatch
        self.maxFlushers = maxFlushers
    }

    func enqueue(_ ticket: RecordTicket) {
        lock.lock()
        queue.append(ticket)
        lock.unlock()
    }

    /// Takes a ticket back if no flusher has taken it yet.
    func remove(_ ticket: RecordTicket) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard let index = queue.firstIndex(where: { $0 === ticket }) else { return false }
        queue.remove(at: index)
        return true
    }

    /// Becomes a flusher if fewer than `maxFlushers` are active; otherwise an active one will
    /// pick the queued tickets up before it stops (see `next`).
    func startFlushing() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard flushers < maxFlushers, !queue.isEmpty else { return false }
        flushers += 1
        return true
    }

    /// The next batch for an active flusher; an empty batch also ends its turn, in the same
    /// critical section, so a ticket can never be left behind with no flusher.
    func next() -> [RecordTicket] {
        lock.lock()
        defer { lock.unlock() }
        guard !queue.isEmpty else {
            flushers -= 1
            return []
        }
        let count = min(maxBatch, queue.count)
        let batch = Array(queue.prefix(count))
        queue.removeFirst(count)
        return batch
    }
}

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
    /// How long an idle flusher waits for more tickets before ending its turn. Callers answered
    /// by the last commit usually come back within it, and find a flusher already running on a
    /// pool thread instead of starting a task and a thread hop of their own.
    let linger: TimeInterval = 0.001
    private let lock = NSCondition()
    private var queue: [RecordTicket] = []
    private var flushers = 0

    init(maxBatch: Int, maxFlushers: Int) {
        self.maxBatch = maxBatch
        self.maxFlushers = maxFlushers
    }

    /// Ends a flusher's turn whose loop never ran (no connection). When no other flusher is
    /// left to drain the queue, every queued ticket fails with `error`.
    func abandon(with error: any Error) {
        lock.lock()
        flushers -= 1
        guard flushers == 0 else { return lock.unlock() }
        let failed = queue
        queue.removeAll()
        lock.unlock()
        for ticket in failed { ticket.complete(.failure(error)) }
    }

    /// Enqueues a ticket and says whether its caller must start a flusher: only when fewer
    /// than `maxFlushers` are active. Otherwise an active one picks the ticket up before it
    /// stops (see `next`), so most callers never touch the connection pool at all.
    func enqueue(_ ticket: RecordTicket) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        queue.append(ticket)
        lock.signal()
        guard flushers < maxFlushers else { return false }
        flushers += 1
        return true
    }

    /// The next batch for an active flusher (waiting up to `linger` for one); an empty batch
    /// also ends its turn, in the same critical section, so a ticket can never be left behind
    /// with no flusher. Runs on a pool thread, where waiting is allowed.
    func next() -> [RecordTicket] {
        lock.lock()
        defer { lock.unlock() }
        if queue.isEmpty { _ = lock.wait(until: Date(timeIntervalSinceNow: linger)) }
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

/// A coalescing wake-up: any number of `signal()` calls while nobody waits cause exactly one
/// early return of the next `wait`, so a burst of notifications costs one pass.
public actor WakeSignal {
    private var pending = false
    private var waiter: CheckedContinuation<Void, Never>?
    private var generation = 0

    /// Creates a signal with nothing pending.
    public init() {}

    /// Wakes the waiter, or remembers one wake-up for the next `wait`.
    public func signal() {
        if let waiter {
            self.waiter = nil
            waiter.resume()
        } else {
            pending = true
        }
    }

    /// Returns at the first of: a signal (possibly one already pending), `timeout`, cancellation.
    public func wait(timeout: Duration) async {
        if pending {
            pending = false
            return
        }
        if Task.isCancelled { return }
        generation += 1
        let current = generation
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.expire(current)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                waiter = continuation
            }
        } onCancel: {
            Task { await self.expire(current) }
        }
        timer.cancel()
    }

    private func expire(_ current: Int) {
        guard current == generation, let waiter else { return }
        self.waiter = nil
        waiter.resume()
    }
}

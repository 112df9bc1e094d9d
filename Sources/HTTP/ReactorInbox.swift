import CEpoll
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The number of open (counted) connections across every reactor thread.
final class ConnectionCounter: Sendable {
    private let open = Atomic<Int>(0)

    /// Counts a new connection unless `limit` is reached; returns the new total, or nil when refused.
    func admit(limit: Int) -> Int? {
        let total = open.wrappingAdd(1, ordering: .relaxed).newValue
        if total > limit {
            open.wrappingSubtract(1, ordering: .relaxed)
            return nil
        }
        return total
    }

    /// Uncounts a closed connection; returns the new total.
    func release() -> Int {
        open.wrappingSubtract(1, ordering: .relaxed).newValue
    }
}

/// A finished response on its way from a handler task back to the reactor thread.
struct Completion: Sendable {
    let connectionID: UInt64
    let bytes: [UInt8]
    let close: Bool
}

/// The thread-safe doorway into the reactor: handler tasks post completions, `shutdown()` posts a
/// stop request, and both wake the reactor through an eventfd it polls.
final class ReactorInbox: Sendable {
    struct State {
        var completions: [Completion] = []
        var stopRequested = false
        var exited = false
        var exitWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// The eventfd; owned here and closed in deinit, after the reactor thread has let go of the inbox.
    let wakeFD: Int32
    private let state = Mutex(State())
    private let stopping = Atomic<Bool>(false)

    /// Whether a stop was requested: responses serialized from now on announce `Connection: close`.
    var isStopping: Bool { stopping.load(ordering: .relaxed) }

    init() throws {
        let fd = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        guard fd >= 0 else { throw SystemError(call: "eventfd", errno: errno) }
        wakeFD = fd
    }

    deinit {
        close(wakeFD)
    }

    /// The reactor thread's `pthread_self()`, once it runs.
    private let reactorThread = Atomic<UInt>(0)

    /// Records the calling thread as the reactor thread.
    func markReactorThread() {
        reactorThread.store(UInt(pthread_self()), ordering: .releasing)
    }

    /// Whether the caller runs on the reactor thread (which drains the inbox before it sleeps).
    var isOnReactorThread: Bool {
        reactorThread.load(ordering: .acquiring) == UInt(pthread_self())
    }

    /// Hands a completion to the reactor; wakes it only when the queue was empty (it drains all at
    /// once) and the caller is not the reactor thread itself.
    func post(_ completion: Completion) {
        let wasEmpty = state.withLock { state in
            state.completions.append(completion)
            return state.completions.count == 1
        }
        if wasEmpty && !isOnReactorThread { wake() }
    }

    /// Asks the reactor to drain and stop.
    func requestStop() {
        stopping.store(true, ordering: .relaxed)
        state.withLock { $0.stopRequested = true }
        wake()
    }

    /// Returns when the reactor thread has exited.
    func waitForExit() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let alreadyExited = state.withLock { state in
                if state.exited { return true }
                state.exitWaiters.append(continuation)
                return false
            }
            if alreadyExited { continuation.resume() }
        }
    }

    /// Resets the eventfd after it woke the reactor.
    func clearWake() {
        var counter: UInt64 = 0
        _ = read(wakeFD, &counter, 8)
    }

    /// Takes every queued completion (reactor thread).
    func drain() -> (completions: [Completion], stopRequested: Bool) {
        state.withLock { state in
            let completions = state.completions
            state.completions = []
            return (completions, state.stopRequested)
        }
    }

    /// Records that the reactor thread has finished and resumes every `requestStopAndWait` caller.
    func markExited() {
        let waiters = state.withLock { state in
            state.exited = true
            let waiters = state.exitWaiters
            state.exitWaiters = []
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Wakes the reactor's `epoll_wait`.
    func wake() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }
}

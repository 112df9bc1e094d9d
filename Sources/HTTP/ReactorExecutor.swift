import Synchronization

/// A task executor that runs jobs on the reactor thread between epoll rounds.
///
/// With `HandlerExecution.reactorThread` every handler task prefers this executor, so a request
/// is read, handled and answered on one thread with no hand-off: no thread wake-ups, no eventfd
/// write per response. Jobs enqueued from other threads (a timer, an actor handing back) wake the
/// reactor through the inbox's eventfd. Once the reactor has exited, jobs go to the global
/// concurrent executor so no task is stranded.
final class ReactorExecutor: TaskExecutor {
    private struct State {
        var jobs: [UnownedJob] = []
        var stopped = false
    }

    private let state = Mutex(State())
    private let inbox: ReactorInbox

    init(inbox: ReactorInbox) {
        self.inbox = inbox
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let (forward, wasEmpty) = state.withLock { state -> (Bool, Bool) in
            if state.stopped { return (true, false) }
            state.jobs.append(job)
            return (false, state.jobs.count == 1)
        }
        if forward {
            globalConcurrentExecutor.enqueue(job)
        } else if wasEmpty && !inbox.isOnReactorThread {
            inbox.wake()
        }
    }

    /// Whether jobs are waiting (reactor thread: then `epoll_wait` must not sleep).
    var hasJobs: Bool {
        state.withLock { !$0.jobs.isEmpty }
    }

    /// Runs the jobs queued so far (reactor thread); returns how many ran.
    @discardableResult
    func runQueuedJobs() -> Int {
        let jobs = state.withLock { state in
            let jobs = state.jobs
            state.jobs.removeAll(keepingCapacity: true)
            return jobs
        }
        let executor = asUnownedTaskExecutor()
        for job in jobs { job.runSynchronously(on: executor) }
        return jobs.count
    }

    /// Stops running jobs here: queued and future jobs go to the global executor.
    func stop() {
        let jobs = state.withLock { state in
            state.stopped = true
            let jobs = state.jobs
            state.jobs = []
            return jobs
        }
        for job in jobs { globalConcurrentExecutor.enqueue(job) }
    }
}

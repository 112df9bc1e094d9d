import CCurl
import Foundation
import Synchronization

/// One libcurl multi handle and the dedicated thread that drives it.
///
/// Callers enqueue work under a mutex and wake the thread with `curl_multi_wakeup`; the thread
/// alone creates, configures, runs and frees every easy handle, waits in `curl_multi_poll`, and
/// resumes each caller's continuation when its transfer ends. No task of the cooperative pool
/// ever waits on I/O. The multi handle keeps the connection and DNS caches alive across requests.
final class CurlMultiLoop: Sendable {
    private enum Command: Sendable {
        case start(id: UInt64, request: PreparedRequest, continuation: Continuation)
        case cancel(id: UInt64)
    }

    /// How a transfer ended, as the transfer thread reports it to the waiting task.
    enum Outcome: Sendable {
        case finished(Result<ClientResponse, HTTPClientError>)
        case cancelled
    }

    typealias Continuation = CheckedContinuation<Outcome, Never>

    private struct Inbox {
        var commands: [Command] = []
        var isShutdown = false
        var nextID: UInt64 = 0
    }

    private let multi: MultiHandle
    private let inbox = Mutex(Inbox())

    /// Starts the transfer thread; nil when libcurl cannot be initialised.
    init?(_ configuration: HTTPClient.Configuration) {
        guard CurlGlobal.problem == nil, let multi = MultiHandle(configuration) else { return nil }
        self.multi = multi
        let thread = Thread { [self] in self.run() }
        thread.name = "runway-curl"
        thread.start()
    }

    /// Runs one transfer. Cancelling the task aborts the transfer and throws `CancellationError`.
    func perform(_ request: PreparedRequest) async throws -> ClientResponse {
        let id = inbox.withLock { inbox in
            inbox.nextID += 1
            return inbox.nextID
        }
        let outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: Continuation) in
                // Checking cancellation under the lock orders this against `onCancel`, which the
                // runtime calls only after marking the task cancelled.
                let rejection: Outcome? = inbox.withLock { inbox in
                    if inbox.isShutdown { return .finished(.failure(Self.shutdownError)) }
                    if Task.isCancelled { return .cancelled }
                    inbox.commands.append(.start(id: id, request: request, continuation: continuation))
                    return nil
                }
                if let rejection {
                    continuation.resume(returning: rejection)
                } else {
                    multi.wakeup()
                }
            }
        } onCancel: {
            send(.cancel(id: id))
        }
        switch outcome {
        case .finished(let result): return try result.get()
        case .cancelled: throw CancellationError()
        }
    }

    /// Fails every queued and running transfer with `shutdown` and lets the thread exit. Idempotent.
    func shutdown() {
        let wasRunning = inbox.withLock { inbox in
            defer { inbox.isShutdown = true }
            return !inbox.isShutdown
        }
        if wasRunning { multi.wakeup() }
    }

    static let shutdownError = HTTPClientError(code: .shutdown, message: "the HTTP client was shut down")

    private func send(_ command: Command) {
        let accepted = inbox.withLock { inbox in
            guard !inbox.isShutdown else { return false }
            inbox.commands.append(command)
            return true
        }
        if accepted { multi.wakeup() }
    }

    // MARK: - The transfer thread

    private func run() {
        let driver = MultiDriver(multi: multi.pointer)
        while true {
            let (commands, isShutdown) = inbox.withLock { inbox in
                defer { inbox.commands.removeAll() }
                return (inbox.commands, inbox.isShutdown)
            }
            for command in commands {
                switch command {
                case .start(let id, let request, let continuation):
                    driver.start(id: id, request: request, continuation: continuation)
                case .cancel(let id):
                    driver.finish(id: id, with: .cancelled)
                }
            }
            if isShutdown {
                driver.finishAll(with: .finished(.failure(Self.shutdownError)))
                return
            }
            driver.performAndCollect()
            driver.poll(timeoutMilliseconds: 1000)
        }
    }
}

/// The transfers running in one multi handle. Lives on the transfer thread only.
private final class MultiDriver {
    private let multi: UnsafeMutableRawPointer
    private var running: [UnsafeMutableRawPointer: (id: UInt64, transfer: CurlTransfer, continuation: CurlMultiLoop.Continuation)] = [:]
    private var handleByID: [UInt64: UnsafeMutableRawPointer] = [:]

    init(multi: UnsafeMutableRawPointer) {
        self.multi = multi
    }

    func start(id: UInt64, request: PreparedRequest, continuation: CurlMultiLoop.Continuation) {
        guard let transfer = CurlTransfer(request) else {
            let error = HTTPClientError(code: .other, message: "libcurl could not allocate a handle")
            continuation.resume(returning: .finished(.failure(error)))
            return
        }
        do {
            try transfer.configure()
        } catch {
            continuation.resume(returning: .finished(.failure(error)))
            return
        }
        let added = curl_multi_add_handle(multi, transfer.easy)
        guard added == CURLM_OK else {
            let reason = String(cString: curl_multi_strerror(added))
            let error = HTTPClientError(code: .other, message: "libcurl refused the transfer: \(reason)")
            continuation.resume(returning: .finished(.failure(error)))
            return
        }
        running[transfer.easy] = (id, transfer, continuation)
        handleByID[id] = transfer.easy
    }

    /// Removes a transfer (if still running) and resumes its caller with `outcome`.
    func finish(id: UInt64, with outcome: CurlMultiLoop.Outcome) {
        guard let easy = handleByID[id] else { return }  // already done
        finish(easy: easy) { _ in outcome }
    }

    func finishAll(with outcome: CurlMultiLoop.Outcome) {
        for easy in Array(running.keys) {
            finish(easy: easy) { _ in outcome }
        }
    }

    /// Lets libcurl make progress, then completes every transfer it reports done.
    func performAndCollect() {
        var stillRunning: Int32 = 0
        _ = curl_multi_perform(multi, &stillRunning)
        var easy: UnsafeMutableRawPointer?
        var code = CURLE_OK
        while ccurl_multi_next_done(multi, &easy, &code) == 1 {
            guard let done = easy else { continue }
            let result = code
            finish(easy: done) { .finished($0.outcome(result)) }
        }
    }

    /// Waits for socket activity, libcurl's next timeout, a wake-up or `timeoutMilliseconds`.
    func poll(timeoutMilliseconds: Int32) {
        _ = curl_multi_poll(multi, nil, 0, timeoutMilliseconds, nil)
    }

    private func finish(
        easy: UnsafeMutableRawPointer,
        outcome: (CurlTransfer) -> CurlMultiLoop.Outcome
    ) {
        guard let entry = running.removeValue(forKey: easy) else { return }
        handleByID[entry.id] = nil
        let result = outcome(entry.transfer)
        curl_multi_remove_handle(multi, easy)
        entry.continuation.resume(returning: result)
    }
}

/// Owns the CURLM handle; freed once the client and its thread are both gone.
final class MultiHandle: @unchecked Sendable {
    // Safety: only the transfer thread passes `pointer` to libcurl, except `wakeup`, which libcurl
    // documents as callable from any thread; the handle is immutable after `init`.
    let pointer: UnsafeMutableRawPointer

    init?(_ configuration: HTTPClient.Configuration) {
        guard let multi = curl_multi_init() else { return nil }
        pointer = multi
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, configuration.maxConnectionsPerHost)
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, configuration.maxTotalConnections)
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, configuration.maxIdleConnections)
    }

    deinit {
        curl_multi_cleanup(pointer)
    }

    func wakeup() {
        _ = curl_multi_wakeup(pointer)
    }
}

/// `curl_global_init` exactly once per process, before the first handle.
enum CurlGlobal {
    /// libcurl 7.85 added `CURLOPT_PROTOCOLS_STR`; older run-time libraries would refuse it.
    static let minimumVersion: UInt32 = 0x07_55_00

    /// Nil when libcurl is usable, else why not.
    static let problem: String? = {
        guard ccurl_version_number() >= minimumVersion else {
            return "libcurl 7.85 or newer is required"
        }
        return curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK ? nil : "curl_global_init failed"
    }()
}

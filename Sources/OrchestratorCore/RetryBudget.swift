/// Bounded retries with jittered exponential backoff for throttled or transient provider calls:
/// at most `maxAttempts` tries and `maxTotalWait` of waiting, so a launch answers within a known
/// time (then 503 with `Retry-After`, and the Publisher retries later).
public struct RetryBudget: Sendable {
    /// Tries per call, including the first (default 4).
    public var maxAttempts: Int
    /// First backoff (default 200 ms); attempt n waits `random(base * 2^n / 2, base * 2^n)`.
    public var baseDelay: Duration
    /// Cap on all waits of one call together (default 5 s).
    public var maxTotalWait: Duration
    /// Sleeps; injected by tests.
    public var sleep: @Sendable (Duration) async throws -> Void

    /// Creates a budget.
    public init(
        maxAttempts: Int = 4, baseDelay: Duration = .milliseconds(200), maxTotalWait: Duration = .seconds(5),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxTotalWait = maxTotalWait
        self.sleep = sleep
    }

    /// The outcome of one try.
    public enum Outcome<Value: Sendable>: Sendable {
        /// Finished (successfully or not: the caller decides).
        case done(Value)
        /// Try again after backoff, if the budget allows; else give up with `error`.
        case retry(OrchestratorError)
    }

    /// Runs `attempt` until it is done or the budget is spent; then throws the last error.
    public func run<Value: Sendable>(_ attempt: () async throws(OrchestratorError) -> Outcome<Value>) async throws(OrchestratorError) -> Value {
        var waited = Duration.zero
        var tries = 0
        while true {
            tries += 1
            switch try await attempt() {
            case .done(let value):
                return value
            case .retry(let error):
                let delay = backoff(attempt: tries)
                guard tries < maxAttempts, waited + delay <= maxTotalWait else { throw error }
                waited += delay
                do { try await sleep(delay) } catch { throw OrchestratorError(.unavailable, code: "cancelled", message: "cancelled") }
            }
        }
    }

    func backoff(attempt: Int) -> Duration {
        let ceiling = baseDelay * (1 << min(attempt - 1, 10))
        let ms = Double(ceiling.components.seconds) * 1000 + Double(ceiling.components.attoseconds) / 1e15
        return .milliseconds(Int64(ms / 2 + Double.random(in: 0...(ms / 2))))
    }
}

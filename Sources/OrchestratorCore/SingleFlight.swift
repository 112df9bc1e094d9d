/// Runs at most one operation per key at a time in this process: concurrent callers with the same
/// key share the first caller's result. The operation runs in its own task, so a caller that goes
/// away does not abandon a launch half-way.
public actor SingleFlight<Key: Hashable & Sendable, Value: Sendable> {
    private var inFlight: [Key: Task<Value, Never>] = [:]

    /// Creates an empty group.
    public init() {}

    /// The result of `operation` for `key`, shared with every concurrent caller of the same key.
    public func run(_ key: Key, _ operation: @escaping @Sendable () async -> Value) async -> Value {
        if let running = inFlight[key] { return await running.value }
        let task = Task { await operation() }
        inFlight[key] = task
        let value = await task.value
        inFlight[key] = nil
        return value
    }

    /// Keys with an operation in flight (for tests and metrics).
    public var count: Int { inFlight.count }
}

import Foundation

/// Wall-clock time and sleeping, injected so tests control both (JWT claims, token expiry,
/// rate-limit waits, JIT pacing).
public struct GitHubClock: Sendable {
    /// The current time.
    public var now: @Sendable () -> Date
    /// Suspends the caller for a duration; throws `CancellationError` when cancelled.
    public var sleep: @Sendable (Duration) async throws -> Void

    /// Creates a clock from its two functions.
    public init(now: @escaping @Sendable () -> Date, sleep: @escaping @Sendable (Duration) async throws -> Void) {
        self.now = now
        self.sleep = sleep
    }

    /// The system clock and `Task.sleep`.
    public static let system = GitHubClock(now: { Date() }, sleep: { try await Task.sleep(for: $0) })
}

import Foundation
import GitHub

/// A clock tests drive: `sleep` returns at once after moving time forward, and every sleep is
/// recorded so tests can assert on back-off.
final class ManualClock: @unchecked Sendable {
    // Safety: both fields are only touched under `lock`.
    private let lock = NSLock()
    private var current: Date
    private var recorded: [Duration] = []

    init(_ start: Date = Date(timeIntervalSince1970: 1_750_000_000)) {
        current = start
    }

    var now: Date { lock.withLock { current } }
    var sleeps: [Duration] { lock.withLock { recorded } }

    func advance(_ seconds: TimeInterval) {
        lock.withLock { current += seconds }
    }

    var clock: GitHubClock {
        GitHubClock(now: { self.now }, sleep: { duration in
            try Task.checkCancellation()
            self.lock.withLock {
                self.recorded.append(duration)
                let c = duration.components
                self.current += TimeInterval(c.seconds) + TimeInterval(c.attoseconds) / 1e18
            }
        })
    }
}

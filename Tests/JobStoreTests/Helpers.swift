import RunwayTestSupport
import Foundation
import JobStore
import Logging
import Postgres
import Testing

/// A clock tests move by hand.
final class TestClock: @unchecked Sendable {
    // Safety: `current` is only touched while holding `lock`.
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date = Date(timeIntervalSince1970: 1_795_942_232)) { current = start }

    var now: Date {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    func advance(_ duration: Duration) {
        lock.lock()
        current += Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        lock.unlock()
    }
}

/// A migrated store in a fresh schema.
func withStore<T>(
    poolSize: Int = 4,
    maxAttempts: Int = 3,
    clock: TestClock = TestClock(),
    _ body: (JobStore, PostgresPool, TestClock) async throws -> T
) async throws -> T {
    try await TestDatabase.withSchema(poolSize: poolSize) { pool, _ in
        _ = try await Migrator.migrate(pool, logger: TestDatabase.logger)
        let store = JobStore(pool: pool, logger: TestDatabase.logger, maxAttempts: maxAttempts, now: { clock.now })
        return try await body(store, pool, clock)
    }
}

/// A `workflow_job` event with sensible defaults; the delivery id defaults to a fresh UUID.
func event(
    job: Int64,
    _ status: GitHubStatus,
    delivery: String = UUID().uuidString,
    pool: String? = "ec2-ubuntu",
    runner: String? = nil,
    conclusion: String? = nil,
    labels: [String] = ["self-hosted", "linux"]
) -> WorkflowJobEvent {
    WorkflowJobEvent(
        deliveryID: delivery, action: status.rawValue, jobID: job, runID: job * 10, runAttempt: 1,
        repository: "octo/repo", owner: "octo", installationID: 42, labels: labels, status: status,
        conclusion: status == .completed ? (conclusion ?? "success") : nil,
        runnerName: status >= .inProgress ? runner : nil, pool: pool,
        unroutableReason: pool == nil ? "no pool serves these labels" : nil,
        startedAt: status >= .inProgress ? Date(timeIntervalSince1970: 1_795_942_300) : nil,
        completedAt: status == .completed ? Date(timeIntervalSince1970: 1_795_942_400) : nil
    )
}

extension RecordOutcome {
    var job: Job? {
        if case .recorded(let job) = self { return job }
        return nil
    }
}

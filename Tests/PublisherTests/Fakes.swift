import Foundation
import HTTP
import Logging
import RunwayKit
import Synchronization
@testable import PublisherCore

/// A controllable clock.
final class ManualClock: Sendable {
    private let current: Mutex<Date>
    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { current = Mutex(start) }
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: Double) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
    var closure: @Sendable () -> Date { { self.now } }
}

/// An in-memory job store that records every call; semantics follow the job store's contract.
final class FakeStore: DispatchStore, Sendable {
    struct Job: Sendable {
        var id: Int64
        var pool: String
        var labels: [String] = ["self-hosted"]
        var state = "pending"
        var attempts = 0
        var leaseOwner: String?
        var leaseUntil: Date?
        var nextAttemptAt: Date?
        var runnerName: String?
        var lastError: String?
        var receivedAt: Date
        var launches = 0
        var traceparent: String?
    }
    struct State: Sendable {
        var jobs: [Int64: Job] = [:]
        var runners: [String: RunnerRecord] = [:]
        var gone: [String] = []
        var calls: [String] = []
        var snapshots: [String: PoolSnapshot] = [:]
        var failClaims = false
        var toTearDown: [RunnerRecord] = []
        var claimedOrder: [String: [Int64]] = [:]
    }
    let state = Mutex(State())
    let clock: ManualClock

    init(clock: ManualClock) { self.clock = clock }

    func add(_ id: Int64, pool: String, receivedOffset: Double = 0, labels: [String] = ["self-hosted"], traceparent: String? = nil) {
        let at = clock.now.addingTimeInterval(receivedOffset)
        state.withLock { $0.jobs[id] = Job(id: id, pool: pool, labels: labels, receivedAt: at, traceparent: traceparent) }
    }
    func job(_ id: Int64) -> Job? { state.withLock { $0.jobs[id] } }
    var calls: [String] { state.withLock { $0.calls } }

    func claim(pool: String, limit: Int, leaseOwner: String, lease: Duration) async throws -> [DispatchJob] {
        let now = clock.now
        return try state.withLock { s in
            s.calls.append("claim \(pool) \(limit)")
            if s.failClaims { throw FakeError.down }
            let due = s.jobs.values.filter { $0.pool == pool && $0.state == "pending" && ($0.nextAttemptAt ?? now) <= now }
                .sorted { ($0.receivedAt, $0.id) < ($1.receivedAt, $1.id) }.prefix(limit)
            return due.map { job in
                s.claimedOrder[pool, default: []].append(job.id)
                s.jobs[job.id]?.state = "dispatching"
                s.jobs[job.id]?.leaseOwner = leaseOwner
                s.jobs[job.id]?.leaseUntil = now.addingTimeInterval(lease.seconds)
                return DispatchJob(
                    id: job.id, pool: pool, labels: job.labels, owner: "octo", repository: "octo/repo", installationID: 7,
                    attempt: job.attempts,
                    runnerAttempt: job.runnerName.flatMap { Int($0.split(separator: "-").last ?? "") }.map { $0 + 1 } ?? 0, receivedAt: job.receivedAt,
                    traceparent: job.traceparent)
            }
        }
    }

    func markLaunched(_ claimed: DispatchJob, leaseOwner: String, runnerName: String, providerID: String) async throws -> Bool {
        let jobID = claimed.id
        return state.withLock { s in
            s.calls.append("launched \(jobID)")
            guard let job = s.jobs[jobID], job.state == "dispatching", job.leaseOwner == leaseOwner else { return false }
            s.jobs[jobID]?.state = "launched"
            s.jobs[jobID]?.runnerName = runnerName
            s.jobs[jobID]?.launches += 1
            s.jobs[jobID]?.leaseOwner = nil
            s.runners[runnerName] = RunnerRecord(name: runnerName, pool: job.pool, launchedFor: jobID, launchedAt: clock.now)
            return true
        }
    }

    func release(
        _ claimed: DispatchJob, leaseOwner: String, retryAfter: Duration, error: String, permanent: Bool, countsAttempt: Bool,
        maxAttempts: Int
    ) async throws -> ReleaseResult {
        let now = clock.now
        let jobID = claimed.id
        return state.withLock { s in
            s.calls.append("release \(jobID) \(permanent)")
            guard let job = s.jobs[jobID], job.state == "dispatching", job.leaseOwner == leaseOwner else { return .notHeld }
            if countsAttempt { s.jobs[jobID]?.attempts += 1 }
            s.jobs[jobID]?.lastError = error
            s.jobs[jobID]?.leaseOwner = nil
            if permanent || (countsAttempt && job.attempts + 1 >= maxAttempts) {
                s.jobs[jobID]?.state = "failed"
                return .failed
            }
            s.jobs[jobID]?.state = "pending"
            s.jobs[jobID]?.nextAttemptAt = now.addingTimeInterval(retryAfter.seconds)
            return .pending
        }
    }

    func activeRunnerCount(pool: String) async throws -> Int {
        state.withLock { s in s.jobs.values.filter { $0.pool == pool && ($0.state == "launched" || $0.state == "dispatching") }.count }
    }

    func pendingCount(pool: String) async throws -> Int {
        state.withLock { s in s.jobs.values.filter { $0.pool == pool && $0.state == "pending" }.count }
    }

    func rescueExpiredLeases() async throws -> Int {
        let now = clock.now
        return state.withLock { s in
            var count = 0
            for (id, job) in s.jobs where job.state == "dispatching" && (job.leaseUntil ?? now) < now {
                s.jobs[id]?.state = "pending"
                s.jobs[id]?.leaseOwner = nil
                count += 1
            }
            return count
        }
    }

    func snapshot(pool: String) async throws -> PoolSnapshot {
        state.withLock { $0.snapshots[pool] ?? PoolSnapshot() }
    }

    func requeue(jobID: Int64, reason: String, maxAttempts: Int) async throws -> ReleaseResult {
        state.withLock { s in
            s.calls.append("requeue \(jobID)")
            guard let job = s.jobs[jobID] else { return .notHeld }
            s.jobs[jobID]?.attempts += 1
            s.jobs[jobID]?.lastError = reason
            if job.attempts + 1 >= maxAttempts {
                s.jobs[jobID]?.state = "failed"
                return .failed
            }
            s.jobs[jobID]?.state = "pending"
            return .pending
        }
    }

    func runnersToTearDown(limit: Int) async throws -> [RunnerRecord] {
        state.withLock { s in s.toTearDown.filter { !s.gone.contains($0.name) } }
    }

    func markRunnerGone(name: String) async throws {
        state.withLock { s in
            s.calls.append("gone \(name)")
            s.gone.append(name)
        }
    }

    func strayJobs(knownPools: [String], limit: Int) async throws -> [StrayJob] {
        state.withLock { s in
            s.jobs.values.filter { $0.state == "pending" && !knownPools.contains($0.pool) }.sorted { $0.id < $1.id }
                .map { StrayJob(id: $0.id, pool: $0.pool, labels: $0.labels) }
        }
    }

    func reroute(jobID: Int64, pool: String?, reason: String) async throws {
        state.withLock { s in
            if let pool {
                s.jobs[jobID]?.pool = pool
            } else {
                s.jobs[jobID]?.state = "unroutable"
                s.jobs[jobID]?.lastError = reason
            }
        }
    }

    func jobs(state filter: String?, pool: String?, limit: Int) async throws -> [JobView] {
        state.withLock { s in
            s.jobs.values.filter { (filter == nil || $0.state == filter) && (pool == nil || $0.pool == pool) }
                .sorted { $0.id > $1.id }.prefix(limit).map(Self.view)
        }
    }

    func job(id: Int64) async throws -> JobView? {
        state.withLock { s in s.jobs[id].map(Self.view) }
    }

    static func view(_ job: Job) -> JobView {
        JobView(
            id: job.id, runID: 1, repository: "octo/repo", labels: job.labels, pool: job.pool, status: "queued",
            dispatchState: job.state, runnerName: job.runnerName, attempts: job.attempts, lastError: job.lastError,
            receivedAt: job.receivedAt, launchedAt: nil, completedAt: nil)
    }
}

enum FakeError: Error { case down }

/// An Orchestrator fake that records calls and answers from a script.
final class FakeOrchestrator: OrchestratorAPI, Sendable {
    struct State: Sendable {
        var launches: [(name: String, pool: String, at: Date)] = []
        var teardowns: [String] = []
        var provider: [String: [ProviderRunner]] = [:]
        var failPools: Set<String> = []
        /// Pools whose launches are deferred ("no capacity, come back in 30 s").
        var deferPools: Set<String> = []
        var permanentFail: Set<Int64> = []
        var teardownFailures = 0
        var delay: [String: Duration] = [:]
        /// The trace each launch call ran in, by job id.
        var traces: [Int64: TraceContext] = [:]
    }
    let state = Mutex(State())
    let clock: ManualClock

    init(clock: ManualClock) { self.clock = clock }

    var launchedNames: [String] { state.withLock { $0.launches.map(\.name) } }

    func launch(_ request: LaunchRequest, orchestratorURL: String) async -> LaunchOutcome {
        let delay = state.withLock { $0.delay[request.pool] }
        if let delay { try? await Task.sleep(for: delay) }
        let trace = TraceContext.current
        return state.withLock { s in
            s.traces[request.jobID] = trace
            if s.failPools.contains(request.pool) { return .retry(after: nil, reason: "orchestrator 503 capacity: no capacity") }
            if s.deferPools.contains(request.pool) { return .deferred(after: .seconds(30), reason: "orchestrator 503 capacity: no capacity") }
            if s.permanentFail.contains(request.jobID) { return .failed(reason: "orchestrator 422 invalid: bad labels") }
            s.launches.append((request.runnerName, request.pool, clock.now))
            return .launched(providerID: "i-\(request.jobID)")
        }
    }

    func tearDown(runnerName: String, orchestratorURL: String) async -> TeardownOutcome {
        state.withLock { s in
            s.teardowns.append(runnerName)
            if s.teardownFailures > 0 {
                s.teardownFailures -= 1
                return .retry(reason: "orchestrator 500")
            }
            return .confirmed
        }
    }

    func listRunners(pool: String, orchestratorURL: String) async throws -> [ProviderRunner] {
        state.withLock { $0.provider[pool] ?? [] }
    }
}

/// A leader lock that a test flips.
final class FakeLeader: LeaderLock, Sendable {
    let leading: Mutex<Bool>
    init(_ leading: Bool = true) { self.leading = Mutex(leading) }
    func tryAcquire() async -> Bool { leading.withLock { $0 } }
}

/// A logger that prints only critical messages, so test output stays readable.
func quietLogger() -> Logger {
    var logger = Logger(label: "test.publisher")
    logger.logLevel = .critical
    return logger
}

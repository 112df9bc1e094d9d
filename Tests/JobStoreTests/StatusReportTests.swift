import Foundation
@testable import JobStore
import Postgres
import RunwayTestSupport
import Testing

@Suite("JobStore status report (the Publisher's status page)")
struct StatusReportTests {
    /// Seeds: ec2 jobs 1 and 2 launched together (waited 10 s and 6 s), job 3 launched in the next
    /// minute (waited 59 s), job 4 failed for good, job 7 still pending; eks job 5 retried (in
    /// backoff); job 6 unroutable.
    static func seed(_ store: JobStore, _ clock: TestClock) async throws {
        let start = clock.now
        func at(_ seconds: Double) { clock.advance(.milliseconds(Int64((start.timeIntervalSince1970 + seconds - clock.now.timeIntervalSince1970) * 1000))) }
        _ = try await store.record(event(job: 1, .queued))
        at(4); _ = try await store.record(event(job: 2, .queued))
        at(5); _ = try await store.record(event(job: 3, .queued))
        at(6); _ = try await store.record(event(job: 4, .queued))
        at(7); _ = try await store.record(event(job: 5, .queued, pool: "eks-ubuntu"))
        at(8); _ = try await store.record(event(job: 6, .queued, pool: nil))
        at(10)
        for job in try await store.claim(pool: "ec2-ubuntu", limit: 2, leaseOwner: "p", lease: .seconds(600)) {
            #expect(try await store.markLaunched(jobID: job.id, lease: try #require(job.lease), runnerName: "runway-ec2-ubuntu-\(job.id)-0", providerID: "i-\(job.id)"))
        }
        at(12)
        let eks = try #require(try await store.claim(pool: "eks-ubuntu", limit: 1, leaseOwner: "p", lease: .seconds(600)).first)
        #expect(try await store.release(jobID: 5, lease: try #require(eks.lease), retryAfter: .seconds(3600), error: "HTTP 503: throttled") == .pending)
        at(64)
        let batch = try await store.claim(pool: "ec2-ubuntu", limit: 2, leaseOwner: "p", lease: .seconds(600))
        #expect(batch.map(\.id) == [3, 4])
        #expect(try await store.markLaunched(jobID: 3, lease: try #require(batch[0].lease), runnerName: "runway-ec2-ubuntu-3-0", providerID: "i-3"))
        at(70)
        #expect(try await store.release(jobID: 4, lease: try #require(batch[1].lease), retryAfter: .zero, error: "HTTP 422: <b>bad</b> image", permanent: true) == .failed)
        at(75); _ = try await store.record(event(job: 7, .queued))
        at(80)
    }

    @Test("pool counts, queue-time buckets, recent jobs and failures agree with what happened")
    func report() async throws {
        // A whole minute, so the launches at +10 s and +64 s fall in two consecutive minutes.
        try await withStore(clock: TestClock(Date(timeIntervalSince1970: 1_795_942_200))) { store, _, clock in
            try await Self.seed(store, clock)
            let report = try await store.statusReport(StatusQuery(pools: ["eks-ubuntu", "ec2-ubuntu", "gone"], recentLimit: 4, failureLimit: 10))
            #expect(report.takenAt == clock.now)
            #expect(report.pools == [
                PoolActivity(pool: "eks-ubuntu", pending: 0, active: 0, recentLaunches: 0),
                PoolActivity(pool: "ec2-ubuntu", pending: 1, active: 3, recentLaunches: 3),
                PoolActivity(pool: "gone", pending: 0, active: 0, recentLaunches: 0),
            ])
            #expect(report.queueTimes == [
                QueueTimeBucket(minute: Date(timeIntervalSince1970: 1_795_942_200), launches: 2, p50: 8, max: 10),
                QueueTimeBucket(minute: Date(timeIntervalSince1970: 1_795_942_200 + 60), launches: 1, p50: 59, max: 59),
            ])
            #expect(report.recentJobs.map(\.id) == [7, 6, 5, 4])
            #expect(report.failures.map(\.id) == [4, 5, 6])
            #expect(report.failures.map(\.dispatchState) == [.failed, .pending, .unroutable])
            #expect(report.failures[0].lastError == "HTTP 422: <b>bad</b> image")

            // The rate window moves on: 6 minutes later no launch is recent, the chart still has them.
            clock.advance(.seconds(360))
            let later = try await store.statusReport(StatusQuery(pools: ["ec2-ubuntu"]))
            #expect(later.pools.map(\.recentLaunches) == [0])
            #expect(later.queueTimes.count == 2)
            #expect(later.recentJobs.count == 7)
            clock.advance(.seconds(3600))
            #expect(try await store.statusReport(StatusQuery(pools: [])).queueTimes.isEmpty)
        }
    }

    @Test("limits are validated")
    func limits() async throws {
        try await withStore { store, _, _ in
            await #expect(throws: JobStoreError.self) { _ = try await store.statusReport(StatusQuery(pools: [], recentLimit: 0)) }
            await #expect(throws: JobStoreError.self) { _ = try await store.statusReport(StatusQuery(pools: [], failureLimit: 201)) }
            await #expect(throws: JobStoreError.self) { _ = try await store.statusReport(StatusQuery(pools: [], chartWindow: .zero)) }
            let empty = try await store.statusReport(StatusQuery(pools: ["a"]))
            #expect(empty.pools == [PoolActivity(pool: "a", pending: 0, active: 0, recentLaunches: 0)])
            #expect(empty.queueTimes.isEmpty && empty.recentJobs.isEmpty && empty.failures.isEmpty)
        }
    }

    @Test("every status query can run from an index (no full scan of the jobs table)")
    func indexes() async throws {
        try await withStore { store, pool, clock in
            try await Self.seed(store, clock)
            let now = PostgresValue.timestamptz(clock.now)
            let plans = try await pool.withConnection { connection -> [String: String] in
                // With sequential scans priced out, a plan still scanning `jobs` sequentially has no usable index.
                try connection.execute("SET enable_seqscan = off")
                func plan(_ sql: String, _ binds: [PostgresValue]) throws -> String {
                    try connection.query("EXPLAIN " + sql, binds).rows.map { try $0.decode(at: 0, as: String.self) }.joined(separator: "\n")
                }
                return [
                    "queue": try plan(JobStore.queueTimeSQL, [now, now]),
                    "failures": try plan(JobStore.failuresSQL, [.int(15)]),
                    "recent": try plan(JobStore.recentJobsSQL, [.textArray(DispatchState.allCases.map(\.rawValue)), .int(25)]),
                    "pools": try plan(JobStore.poolActivitySQL, [.textArray(["ec2-ubuntu"]), now, now]),
                ]
            }
            #expect(plans["queue"]?.contains("jobs_launched") == true, "\(plans["queue"] ?? "")")
            #expect(plans["failures"]?.contains("jobs_errors") == true, "\(plans["failures"] ?? "")")
            #expect(plans["recent"]?.contains("jobs_listing") == true, "\(plans["recent"] ?? "")")
            for (name, plan) in plans {
                #expect(!plan.contains("Seq Scan on jobs"), "\(name): \(plan)")
            }
        }
    }
}

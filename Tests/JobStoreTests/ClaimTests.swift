import Foundation
import JobStore
import Postgres
import Testing

@Suite("JobStore claims, leases and retention")
struct ClaimTests {
    @Test("claims are FIFO by receive time then id, per pool")
    func fifo() async throws {
        try await withStore { store, _, clock in
            for id: Int64 in [30, 10, 20] {
                _ = try await store.record(event(job: id, .queued))
                clock.advance(.seconds(1))
            }
            _ = try await store.record(event(job: 5, .queued, pool: "eks-ubuntu"))
            let first = try await store.claim(pool: "ec2-ubuntu", limit: 2, leaseOwner: "a", lease: .seconds(30))
            #expect(first.map(\.id) == [30, 10])
            #expect(first.allSatisfy { $0.dispatchState == .dispatching && $0.lease?.owner == "a" })
            #expect(Set(first.compactMap(\.lease?.token)).count == 2)
            #expect(try await store.claim(pool: "ec2-ubuntu", limit: 5, leaseOwner: "b", lease: .seconds(30)).map(\.id) == [20])
            #expect(try await store.claim(pool: "ec2-ubuntu", limit: 5, leaseOwner: "b", lease: .seconds(30)).isEmpty)
            #expect(try await store.claim(pool: "eks-ubuntu", limit: 5, leaseOwner: "b", lease: .seconds(30)).map(\.id) == [5])
            await #expect(throws: JobStoreError.self) { _ = try await store.claim(pool: "x", limit: 0, leaseOwner: "b", lease: .seconds(1)) }
            await #expect(throws: JobStoreError.self) { _ = try await store.claim(pool: "x", limit: 1, leaseOwner: "", lease: .seconds(1)) }
        }
    }

    @Test("release backs off and counts attempts; the limit or a permanent error fails the job")
    func release() async throws {
        try await withStore(maxAttempts: 2) { store, _, clock in
            _ = try await store.record(event(job: 1, .queued))
            _ = try await store.record(event(job: 2, .queued))
            var job = try #require(try await store.claim(pool: "ec2-ubuntu", limit: 1, leaseOwner: "p", lease: .seconds(30)).first)
            #expect(try await store.release(jobID: 1, lease: try #require(job.lease), retryAfter: .seconds(10), error: "EC2 InsufficientInstanceCapacity") == .pending)
            #expect(try await store.job(id: 1)?.attempts == 1)
            // Backing off: job 2 is next, job 1 only after 10 s.
            #expect(try await store.claim(pool: "ec2-ubuntu", limit: 5, leaseOwner: "p", lease: .seconds(30)).map(\.id) == [2])
            #expect(try await store.pendingCount(pool: "ec2-ubuntu") == 0)
            clock.advance(.seconds(11))
            job = try #require(try await store.claim(pool: "ec2-ubuntu", limit: 5, leaseOwner: "p", lease: .seconds(30)).first)
            #expect(job.id == 1)
            #expect(try await store.release(jobID: 1, lease: try #require(job.lease), retryAfter: .seconds(1), error: "again") == .failed)
            let failed = try #require(try await store.job(id: 1))
            #expect(failed.attempts == 2)
            #expect(failed.lastError == "again")
            #expect(failed.lease == nil)
            // A stale release changes nothing.
            #expect(try await store.release(jobID: 1, lease: try #require(job.lease), retryAfter: .zero, error: "x") == nil)

            // A deferral keeps the attempts and never reaches the limit.
            _ = try await store.record(event(job: 4, .queued))
            for _ in 1...3 {
                clock.advance(.seconds(6))
                let four = try #require(try await store.claim(pool: "ec2-ubuntu", limit: 5, leaseOwner: "p", lease: .seconds(30)).first { $0.id == 4 })
                #expect(try await store.release(jobID: 4, lease: try #require(four.lease), retryAfter: .seconds(5), error: "no capacity",
                                                countsAttempt: false) == .pending)
            }
            #expect(try await store.job(id: 4)?.attempts == 0)
            #expect(try await store.job(id: 4)?.lastError == "no capacity")

            _ = try await store.record(event(job: 3, .queued))
            let three = try #require(try await store.claim(pool: "ec2-ubuntu", limit: 1, leaseOwner: "p", lease: .seconds(30)).first)
            #expect(try await store.release(jobID: 3, lease: try #require(three.lease), retryAfter: .zero, error: "bad AMI", permanent: true) == .failed)
        }
    }

    @Test("an expired lease is rescued and re-claimed; the old holder cannot launch it (fencing)")
    func rescueAndFencing() async throws {
        try await withStore { store, _, clock in
            _ = try await store.record(event(job: 7, .queued))
            let old = try #require(try await store.claim(pool: "ec2-ubuntu", limit: 1, leaseOwner: "pub-a", lease: .seconds(30)).first?.lease)
            #expect(try await store.rescueExpiredLeases() == 0)
            clock.advance(.seconds(31))
            #expect(try await store.rescueExpiredLeases() == 1)
            let rescued = try #require(try await store.job(id: 7))
            #expect(rescued.dispatchState == .pending)
            #expect(rescued.attempts == 1)
            #expect(rescued.lastError == "dispatch lease expired")
            // The same owner name claims again: the token still fences the old claim.
            let new = try #require(try await store.claim(pool: "ec2-ubuntu", limit: 1, leaseOwner: "pub-a", lease: .seconds(30)).first?.lease)
            #expect(new != old)
            #expect(try await !store.markLaunched(jobID: 7, lease: old, runnerName: "runway-ec2-ubuntu-7-0", providerID: "i-old"))
            #expect(try await store.release(jobID: 7, lease: old, retryAfter: .zero, error: "x") == nil)
            #expect(try await store.markLaunched(jobID: 7, lease: new, runnerName: "runway-ec2-ubuntu-7-1", providerID: "i-new"))
            #expect(try await !store.markLaunched(jobID: 7, lease: new, runnerName: "runway-ec2-ubuntu-7-1", providerID: "i-new"))
            let launched = try #require(try await store.job(id: 7))
            #expect(launched.dispatchState == .launched)
            #expect(launched.launchedRunner == "runway-ec2-ubuntu-7-1")
            #expect(launched.launchedAt == clock.now)
            #expect(try await store.runners(pool: "ec2-ubuntu").map(\.name) == ["runway-ec2-ubuntu-7-1"])
            #expect(try await store.activeRunnerCount(pool: "ec2-ubuntu") == 1)
            #expect(try await store.markDone(jobID: 7))
            #expect(try await store.job(id: 7)?.dispatchState == .done)
        }
    }

    @Test("counts, listings and runner bookkeeping")
    func countsAndListings() async throws {
        try await withStore { store, _, clock in
            for id: Int64 in 1...5 {
                _ = try await store.record(event(job: id, .queued))
                clock.advance(.seconds(1))
            }
            _ = try await store.record(event(job: 9, .queued, pool: nil))
            _ = try await store.claim(pool: "ec2-ubuntu", limit: 2, leaseOwner: "p", lease: .seconds(30))
            let counts = try await store.poolCounts()
            #expect(counts.map(\.pool) == [nil, "ec2-ubuntu"])
            #expect(counts[1].byState == [.pending: 3, .dispatching: 2])
            #expect(counts[1].claimable == 3)
            #expect(counts[0].byState == [.unroutable: 1])
            #expect(try await store.activeRunnerCount(pool: "ec2-ubuntu") == 2)

            let page1 = try await store.jobs(filter: .init(pool: "ec2-ubuntu", limit: 2))
            #expect(page1.map(\.id) == [5, 4])
            let page2 = try await store.jobs(filter: .init(pool: "ec2-ubuntu", beforeID: 4, limit: 10))
            #expect(page2.map(\.id) == [3, 2, 1])
            #expect(try await store.jobs(filter: .init(state: .dispatching)).map(\.id) == [2, 1])

            try await store.upsertRunner(name: "runway-ec2-ubuntu-1-0", pool: "ec2-ubuntu", launchedForJob: 1, providerID: "i-1", state: .launched)
            try await store.upsertRunner(name: "runway-ec2-ubuntu-1-0", pool: "ec2-ubuntu", launchedForJob: nil, providerID: nil, state: .busy)
            try await store.upsertRunner(name: "runway-ec2-ubuntu-1-0", pool: "ec2-ubuntu", launchedForJob: nil, providerID: nil, state: .launched)
            var runner = try #require(try await store.runner(name: "runway-ec2-ubuntu-1-0"))
            #expect(runner.state == .busy)
            #expect(runner.providerID == "i-1")
            #expect(runner.launchedForJob == 1)
            #expect(try await store.markRunnerGone(name: runner.name))
            #expect(try await !store.markRunnerGone(name: runner.name))
            runner = try #require(try await store.runner(name: runner.name))
            #expect(runner.state == .gone)
            #expect(try await store.runners(pool: "ec2-ubuntu", states: [.launched, .busy]).isEmpty)
            #expect(try await store.runners(pool: nil, states: [.gone]).count == 1)
        }
    }

    @Test("prune deletes only finished rows past retention, in bounded batches")
    func prune() async throws {
        try await withStore { store, _, clock in
            for id: Int64 in 1...10 { _ = try await store.record(event(job: id, .completed)) }
            for id: Int64 in 11...12 { _ = try await store.record(event(job: id, .queued)) }
            try await store.upsertRunner(name: "runway-ec2-ubuntu-1-0", pool: "ec2-ubuntu", launchedForJob: 1, providerID: nil, state: .gone)
            clock.advance(.seconds(3600))
            _ = try await store.record(event(job: 13, .completed))
            let report = try await store.prune(olderThan: .seconds(1800), batch: 3)
            #expect(report == PruneReport(jobs: 10, deliveries: 12, runners: 1))
            let left = try await store.jobs(filter: .init()).map(\.id).sorted()
            #expect(left == [11, 12, 13])
        }
    }

    @Test("8 claimers drain 20,000 jobs across 3 pools: each claimed exactly once, FIFO per claimer")
    func concurrentClaimers() async throws {
        try await withStore(poolSize: 8) { store, pool, clock in
            let pools = ["ec2-ubuntu", "ec2-windows", "eks-ubuntu"]
            try await pool.query("""
                INSERT INTO jobs (id, run_id, run_attempt, repository, owner, labels, pool, status, dispatch_state,
                                  next_attempt_at, received_at, updated_at)
                SELECT g, g, 1, 'octo/repo', 'octo', ARRAY['self-hosted'], ($1::text[])[1 + g % 3], 'queued', 'pending',
                       $2, $2 + make_interval(secs => (g / 7) * 0.001), $2
                FROM generate_series(1, 20000) AS g
                """, [.textArray(pools), .timestamptz(clock.now - 60)])
            let start = ContinuousClock.now
            let perClaimer = try await withThrowingTaskGroup(of: [[Job]].self) { group in
                for claimer in 0..<8 {
                    group.addTask {
                        var batches: [[Job]] = []
                        var exhausted = Set<String>()
                        var turn = claimer
                        while exhausted.count < pools.count {
                            let name = pools[turn % pools.count]
                            turn += 1
                            if exhausted.contains(name) { continue }
                            let batch = try await store.claim(pool: name, limit: 1 + (turn * 7) % 50, leaseOwner: "c\(claimer)", lease: .seconds(60))
                            if batch.isEmpty { exhausted.insert(name) } else { batches.append(batch) }
                        }
                        return batches
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let elapsed = ContinuousClock.now - start
            let all = perClaimer.flatMap { $0.flatMap { $0 } }
            #expect(all.count == 20_000)
            #expect(Set(all.map(\.id)).count == 20_000)
            for batches in perClaimer {
                var last: [String: (Date, Int64)] = [:]
                for batch in batches {
                    let keys = batch.map { ($0.receivedAt, $0.id) }
                    #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 < $1 })
                    let pool = try #require(batch.first?.pool)
                    #expect(batch.allSatisfy { $0.pool == pool })
                    if let previous = last[pool], let first = keys.first { #expect(previous < first) }
                    last[pool] = keys.last
                }
            }
            let stillPending: Int = try await pool.query("SELECT count(*) AS n FROM jobs WHERE dispatch_state <> 'dispatching'").single().decode("n")
            #expect(stillPending == 0)
            print("concurrent claim: 20000 jobs in \(elapsed)")
        }
    }
}

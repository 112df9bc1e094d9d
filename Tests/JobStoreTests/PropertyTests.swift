import Foundation
import JobStore
import Postgres
import Testing

/// A small deterministic generator (SplitMix64) so a failing permutation can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("JobStore.record properties")
struct PropertyTests {
    struct Final: Equatable {
        var status: GitHubStatus
        var conclusion: String?
        var runnerName: String?
        var dispatchState: DispatchState
        var startedAt: Date?
        var completedAt: Date?

        init(_ job: Job) {
            status = job.status
            conclusion = job.conclusion
            runnerName = job.runnerName
            dispatchState = job.dispatchState
            startedAt = job.startedAt
            completedAt = job.completedAt
        }
    }

    /// waiting, queued, in_progress, completed, plus a redelivery (same delivery id) and a
    /// duplicate event under a new delivery id, in the given order.
    static func deliveries(job: Int64, order: [Int]) -> [WorkflowJobEvent] {
        let runner = "runway-ec2-ubuntu-\(job)-0"
        let base = [
            event(job: job, .waiting, delivery: "\(job)-w"),
            event(job: job, .queued, delivery: "\(job)-q"),
            event(job: job, .inProgress, delivery: "\(job)-p", runner: runner),
            event(job: job, .completed, delivery: "\(job)-c", runner: runner),
            event(job: job, .queued, delivery: "\(job)-q"),
            event(job: job, .inProgress, delivery: "\(job)-p2", runner: runner),
        ]
        return order.map { base[$0] }
    }

    @Test("any order of deliveries, with duplicates, ends where the in-order sequence ends")
    func permutations() async throws {
        try await withStore(poolSize: 8) { store, _, _ in
            let inOrder = Self.deliveries(job: 1, order: [0, 1, 2, 3])
            var expected: Job?
            for delivery in inOrder {
                if case .recorded(let job) = try await store.record(delivery) { expected = job }
            }
            let reference = Final(try #require(expected))
            #expect(reference.status == .completed)
            #expect(reference.dispatchState == .cancelled)
            #expect(reference.runnerName == "runway-ec2-ubuntu-1-0")

            // All 720 orders of the six deliveries, each on its own job, 8 jobs at a time.
            var orders: [[Int]] = []
            func permute(_ prefix: [Int], _ rest: [Int]) {
                if rest.isEmpty { orders.append(prefix); return }
                for (i, x) in rest.enumerated() { var r = rest; r.remove(at: i); permute(prefix + [x], r) }
            }
            permute([], Array(0..<6))
            #expect(orders.count == 720)
            var generator = SeededGenerator(state: 2026)
            orders.shuffle(using: &generator)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, order) in orders.enumerated() {
                    if index >= 32 { try await group.next() }
                    let job = Int64(1000 + index)
                    group.addTask {
                        for delivery in Self.deliveries(job: job, order: order) { _ = try await store.record(delivery) }
                    }
                }
                try await group.waitForAll()
            }
            for index in orders.indices {
                let job = try #require(try await store.job(id: Int64(1000 + index)))
                var want = reference
                want.runnerName = "runway-ec2-ubuntu-\(1000 + index)-0"
                #expect(Final(job) == want, "order \(orders[index])")
            }
            let runners = try await store.runners(pool: "ec2-ubuntu")
            #expect(runners.count == 721)
            #expect(runners.allSatisfy { $0.state == .finished && $0.ranJob == $0.launchedForJob })
        }
    }

    @Test("concurrent records share commits, and each caller gets its own durable row")
    func groupCommit() async throws {
        try await withStore(poolSize: 4) { store, pool, _ in
            // A trigger that fails one job shows a bad row cannot fail the others in its batch.
            try await pool.withConnection { connection in
                try connection.execute("""
                    CREATE FUNCTION refuse_666() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN IF NEW.id = 666 THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$;
                    CREATE TRIGGER refuse_666 BEFORE INSERT ON jobs FOR EACH ROW EXECUTE FUNCTION refuse_666();
                    """)
            }
            let ids: [Int64] = Array(1...400) + [666]
            let results = await withTaskGroup(of: (Int64, Result<RecordOutcome, any Error>).self) { group in
                for id in ids {
                    group.addTask { (id, await Result { try await store.record(event(job: id, .queued, delivery: "g-\(id)")) }) }
                }
                return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            for id in ids where id != 666 {
                let outcome = try results[id]?.get()
                #expect(outcome?.job?.id == id)
                #expect(outcome?.job?.dispatchState == .pending)
            }
            #expect(throws: PostgresError.self) { try results[666]?.get() }
            let count: Int = try await pool.query("SELECT count(*) AS n FROM jobs").single().decode("n")
            #expect(count == 400)
            #expect(try await store.deliveryRecorded("g-666") == false)
        }
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

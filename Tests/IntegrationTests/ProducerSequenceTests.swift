import Foundation
import HTTPClient
import Logging
import Postgres
import Testing

/// Delivery orderings through the Producer process into the real Postgres: whatever the order,
/// duplicates and interleaving, every job ends in the state the in-order sequence gives.
@Suite(.serialized) struct ProducerSequenceTests {
    enum Order: String, CaseIterable {
        case inOrder, reversed, duplicated, shuffled
    }

    static func deliveries(jobID: Int64, order: Order) -> [(delivery: String, action: String)] {
        let base: [(String, String)] = [("queued", "q"), ("in_progress", "p"), ("completed", "c")].map { action, tag in
            ("seq-\(jobID)-\(tag)", action)
        }
        switch order {
        case .inOrder: return base
        case .reversed: return base.reversed()
        case .duplicated: return base + base.shuffled()
        case .shuffled: return base.shuffled()
        }
    }

    @Test func hundredJobsInEveryOrderEndCompletedAndCancelled() async throws {
        let database = try await TestEnvironment.freshDatabase()
        let producer = try await ProducerProcessTests.startProducer(database: database)
        let client = HTTPClient()
        defer { client.shutdown() }
        // 100 jobs, 25 per ordering, all sent concurrently (interleaved across jobs).
        var sends: [(Int64, String, String)] = []
        for i in 0..<100 {
            let jobID = Int64(80_000 + i)
            for d in Self.deliveries(jobID: jobID, order: Order.allCases[i % 4]) { sends.append((jobID, d.delivery, d.action)) }
        }
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for (jobID, delivery, action) in sends.shuffled() {
                group.addTask {
                    let runner = action == "queued" ? nil : "runway-k8s-\(jobID)-1"
                    let body = Webhooks.payload(jobID: jobID, action: action, labels: ["self-hosted", "k8s"], runnerName: runner)
                    return try await Webhooks.send(body, to: producer.url, delivery: delivery, client: client).status
                }
            }
            var all: [Int] = []
            for try await status in group { all.append(status) }
            return all
        }
        #expect(statuses.allSatisfy { $0 == 202 || $0 == 200 })
        #expect(statuses.filter { $0 == 200 }.count == 25 * 3, "duplicates are answered 200 and change nothing")
        // Completed before any runner was launched: every job is cancelled, never dispatched.
        let completed = try await ProducerProcessTests.count(
            database, "SELECT count(*) AS n FROM jobs WHERE status = 'completed' AND dispatch_state = 'cancelled' AND runner_name IS NOT NULL")
        #expect(completed == 100)
        #expect(try await ProducerProcessTests.count(database, "SELECT count(*) AS n FROM deliveries") == 300)
        #expect(await producer.stop() == 0)
    }
}

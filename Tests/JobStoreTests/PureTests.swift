import Foundation
import Testing
@testable import JobStore

@Suite("JobStore pure helpers")
struct PureTests {
    @Test("runner names round-trip, pools may contain dashes, foreign names are not ours", arguments: [
        ("runway-ec2-ubuntu-123-0", RunnerName(pool: "ec2-ubuntu", jobID: 123, attempt: 0)),
        ("runway-eks-2-windows-9-4", RunnerName(pool: "eks-2-windows", jobID: 9, attempt: 4)),
        ("runway-gpu-1-1", RunnerName(pool: "gpu", jobID: 1, attempt: 1)),
    ])
    func runnerNames(text: String, name: RunnerName) {
        #expect(RunnerName(parsing: text) == name)
        #expect(name.description == text)
    }

    @Test("names that are not Runway's parse to nil", arguments: [
        "GitHub Actions 12", "runway-", "runway-pool", "runway-pool-1", "runway--1-0", "runway-pool-x-0",
        "runway-pool-0-0", "runway-pool-5--1", "my-runway-pool-1-0",
    ])
    func foreignNames(text: String) {
        #expect(RunnerName(parsing: text) == nil)
    }

    @Test("a batch splits into rounds with distinct deliveries, jobs and runners, order kept per key")
    func rounds() {
        func ticket(_ job: Int64, _ delivery: String, runner: String? = nil) -> RecordTicket {
            RecordTicket(event: event(job: job, runner == nil ? .queued : .inProgress, delivery: delivery, runner: runner))
        }
        let batch = [
            ticket(1, "a"), ticket(2, "b"), ticket(1, "c"), ticket(3, "a"), ticket(4, "d", runner: "r"),
            ticket(5, "e", runner: "r"), ticket(6, "f"), ticket(1, "g"),
        ]
        let rounds = RecordRounds.split(batch).map { $0.map(\.event.deliveryID) }
        #expect(rounds == [["a", "b", "d", "f"], ["c", "a", "e"], ["g"]])
        #expect(RecordRounds.split([]).isEmpty)
    }

    @Test("GitHub statuses order forward; dispatch states know which are final")
    func orders() {
        #expect(GitHubStatus.allCases.sorted() == [.waiting, .queued, .inProgress, .completed])
        #expect(RunnerState.allCases.sorted() == [.launched, .busy, .finished, .gone])
        #expect(DispatchState.allCases.filter(\.isFinished) == [.done, .unroutable, .failed, .cancelled])
    }

    @Test("jobs encode with the admin API's snake_case keys")
    func jobJSON() throws {
        let date = Date(timeIntervalSince1970: 1_795_942_232)
        let job = Job(
            id: 1, runID: 2, runAttempt: 1, repository: "o/r", owner: "o", installationID: nil, labels: ["x"],
            pool: "p", status: .inProgress, conclusion: nil, runnerName: "runway-p-1-0", dispatchState: .launched,
            attempts: 0, lease: nil, leaseExpiresAt: nil, nextAttemptAt: date, lastError: nil,
            launchedRunner: "runway-p-1-0", receivedAt: date, launchedAt: date, startedAt: nil, completedAt: nil, updatedAt: date
        )
        let object = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(job)) as? [String: Any])
        for key in ["id", "run_id", "repository", "labels", "pool", "status", "dispatch_state", "runner_name", "attempts",
                    "received_at", "launched_at", "updated_at"] {
            #expect(object[key] != nil, "\(key)")
        }
        #expect(object["status"] as? String == "in_progress")
    }
}

import Foundation
import JobStore
import Postgres
import Testing

@Suite("JobStore.record transitions")
struct RecordTests {
    @Test("a new queued job is pending and claimable; its delivery is recorded once")
    func newQueued() async throws {
        try await withStore { store, _, _ in
            let first = try await store.record(event(job: 1, .queued, delivery: "d-1"))
            let job = try #require(first.job)
            #expect(job.dispatchState == .pending)
            #expect(job.status == .queued)
            #expect(job.labels == ["self-hosted", "linux"])
            #expect(job.installationID == 42)
            #expect(try await store.deliveryRecorded("d-1"))
            #expect(try await store.pendingCount(pool: "ec2-ubuntu") == 1)

            let again = try await store.record(event(job: 1, .completed, delivery: "d-1"))
            #expect(again == .duplicateDelivery(jobID: 1))
            #expect(try await store.job(id: 1) == job)
        }
    }

    @Test("a job first seen completed is stored cancelled and never claimable")
    func firstSeenCompleted() async throws {
        try await withStore { store, _, _ in
            let job = try #require(try await store.record(event(job: 2, .completed, runner: "gh-hosted-1")).job)
            #expect(job.dispatchState == .cancelled)
            #expect(job.conclusion == "success")
            _ = try await store.record(event(job: 2, .queued))
            #expect(try await store.job(id: 2)?.status == .completed)
            #expect(try await store.claim(pool: "ec2-ubuntu", limit: 10, leaseOwner: "p", lease: .seconds(30)).isEmpty)
        }
    }

    @Test("waiting is stored but not dispatched until queued")
    func waiting() async throws {
        try await withStore { store, _, _ in
            #expect(try await store.record(event(job: 3, .waiting)).job?.dispatchState == .pending)
            #expect(try await store.pendingCount(pool: "ec2-ubuntu") == 0)
            #expect(try await store.claim(pool: "ec2-ubuntu", limit: 10, leaseOwner: "p", lease: .seconds(30)).isEmpty)
            _ = try await store.record(event(job: 3, .queued))
            #expect(try await store.claim(pool: "ec2-ubuntu", limit: 10, leaseOwner: "p", lease: .seconds(30)).map(\.id) == [3])
        }
    }

    @Test("an unroutable job keeps its reason and is never claimed")
    func unroutable() async throws {
        try await withStore { store, _, _ in
            let job = try #require(try await store.record(event(job: 4, .queued, pool: nil)).job)
            #expect(job.dispatchState == .unroutable)
            #expect(job.pool == nil)
            #expect(job.lastError == "no pool serves these labels")
            _ = try await store.record(event(job: 4, .completed, pool: nil))
            #expect(try await store.job(id: 4)?.dispatchState == .unroutable)
            #expect(try await store.jobs(filter: .init(state: .unroutable)).map(\.id) == [4])
        }
    }

    @Test("completion cancels a pending or dispatching job, and finishes a launched one")
    func completion() async throws {
        try await withStore { store, _, _ in
            for id: Int64 in [5, 6, 7] { _ = try await store.record(event(job: id, .queued)) }
            let claimed = try await store.claim(pool: "ec2-ubuntu", limit: 2, leaseOwner: "p", lease: .seconds(30))
            #expect(claimed.map(\.id) == [5, 6])
            let lease5 = try #require(claimed[0].lease)
            #expect(try await store.markLaunched(jobID: 5, lease: lease5, runnerName: "runway-ec2-ubuntu-5-0", providerID: "i-5"))

            _ = try await store.record(event(job: 5, .completed, runner: "runway-ec2-ubuntu-5-0"))
            _ = try await store.record(event(job: 6, .completed, runner: "someone-else"))
            _ = try await store.record(event(job: 7, .completed))
            #expect(try await store.job(id: 5)?.dispatchState == .done)
            let six = try #require(try await store.job(id: 6))
            #expect(six.dispatchState == .cancelled)
            #expect(six.lease == nil)
            #expect(try await store.job(id: 7)?.dispatchState == .cancelled)
            // The Publisher whose lease the completion ended must not record a launch.
            #expect(try await !store.markLaunched(jobID: 6, lease: try #require(claimed[1].lease), runnerName: "runway-ec2-ubuntu-6-0", providerID: nil))
            #expect(try await store.runner(name: "runway-ec2-ubuntu-5-0")?.state == .finished)
        }
    }

    @Test("in_progress links one of our runners to the job it actually ran")
    func runnerLink() async throws {
        try await withStore { store, _, _ in
            for id: Int64 in [10, 11] { _ = try await store.record(event(job: id, .queued)) }
            let claimed = try await store.claim(pool: "ec2-ubuntu", limit: 1, leaseOwner: "p", lease: .seconds(30))
            #expect(try await store.markLaunched(jobID: 10, lease: try #require(claimed.first?.lease), runnerName: "runway-ec2-ubuntu-10-0", providerID: "i-10"))
            // GitHub gave the runner launched for job 10 to job 11.
            let eleven = try #require(try await store.record(event(job: 11, .inProgress, runner: "runway-ec2-ubuntu-10-0")).job)
            #expect(eleven.runnerName == "runway-ec2-ubuntu-10-0")
            #expect(eleven.dispatchState == .pending)
            #expect(try await store.pendingCount(pool: "ec2-ubuntu") == 0)
            let runner = try #require(try await store.runner(name: "runway-ec2-ubuntu-10-0"))
            #expect(runner.launchedForJob == 10)
            #expect(runner.ranJob == 11)
            #expect(runner.state == .busy)
            #expect(runner.providerID == "i-10")
            // Job 10 is still queued on GitHub: the Publisher puts it back with a new attempt.
            #expect(try await store.requeue(jobID: 10, reason: "runner ran job 11"))
            let ten = try #require(try await store.job(id: 10))
            #expect(ten.dispatchState == .pending)
            #expect(ten.attempts == 1)
            #expect(try await store.activeRunnerCount(pool: "ec2-ubuntu") == 1)
        }
    }

    @Test("a job keeps the traceparent of its first delivery, and claims hand it out")
    func traceparent() async throws {
        try await withStore { store, _, _ in
            let first = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
            var queued = event(job: 30, .queued)
            queued.traceparent = first
            _ = try await store.record(queued)
            var progress = event(job: 30, .inProgress, runner: "gh-1")
            progress.traceparent = "00-11111111111111111111111111111111-2222222222222222-01"
            _ = try await store.record(progress)
            #expect(try await store.job(id: 30)?.traceparent == first)
            _ = try await store.record(event(job: 31, .queued))
            #expect(try await store.job(id: 31)?.traceparent == nil, "deliveries without one store none")

            var fresh = event(job: 32, .queued)
            fresh.traceparent = first
            _ = try await store.record(fresh)
            let claimed = try await store.claim(pool: "ec2-ubuntu", limit: 10, leaseOwner: "p", lease: .seconds(30))
            #expect(claimed.first { $0.id == 32 }?.traceparent == first)
        }
    }

    @Test("bad input is refused whole with typed errors, nothing stored")
    func badInput() async throws {
        #expect(throws: JobStoreError.self) { try GitHubStatus(validating: "requested") }
        #expect(try GitHubStatus(validating: "in_progress") == .inProgress)
        try await withStore { store, _, _ in
            var cases: [(String, WorkflowJobEvent)] = []
            var e = event(job: 20, .queued, delivery: "bad")
            e.labels = Array(repeating: "x", count: 65); cases.append(("too many labels", e))
            e = event(job: 20, .queued, delivery: "bad"); e.labels = [String(repeating: "y", count: 257)]; cases.append(("long label", e))
            e = event(job: 0, .queued, delivery: "bad"); cases.append(("zero id", e))
            e = event(job: -5, .queued, delivery: "bad"); cases.append(("negative id", e))
            e = event(job: 20, .queued, delivery: "bad"); e.runID = 0; cases.append(("zero run id", e))
            e = event(job: 20, .queued, delivery: "bad"); e.runAttempt = Int(Int32.max) + 1; cases.append(("huge attempt", e))
            e = event(job: 20, .queued, delivery: "bad"); e.repository = "no-slash"; cases.append(("repository", e))
            e = event(job: 20, .queued, delivery: "bad"); e.owner = ""; cases.append(("empty owner", e))
            e = event(job: 20, .queued, delivery: "bad"); e.labels = ["a\u{0}b"]; cases.append(("NUL", e))
            e = event(job: 20, .queued, delivery: ""); cases.append(("empty delivery", e))
            e = event(job: 20, .queued, delivery: "bad"); e.pool = ""; cases.append(("empty pool", e))
            e = event(job: 20, .queued, delivery: "bad"); e.installationID = -1; cases.append(("installation", e))
            e = event(job: 20, .queued, delivery: "bad"); e.createdAt = Date(timeIntervalSince1970: -1); cases.append(("date", e))
            e = event(job: 20, .queued, delivery: "bad"); e.traceparent = "00-ABC'; DROP"; cases.append(("traceparent", e))
            e = event(job: 20, .queued, delivery: "bad"); e.traceparent = String(repeating: "a", count: 65); cases.append(("long traceparent", e))
            for (name, bad) in cases {
                let error = await #expect(throws: JobStoreError.self, "\(name)") { _ = try await store.record(bad) }
                #expect(error?.code == .invalidEvent, "\(name)")
                #expect(error.map { !"\($0)".contains("yyyy") && !"\($0)".contains("no-slash") } == true, "\(name)")
            }
            let stored = try await store.job(id: 20)
            let recorded = try await store.deliveryRecorded("bad")
            #expect(stored == nil)
            #expect(!recorded)
        }
    }

    @Test("ignored deliveries are recorded once; checkpoints round-trip")
    func ignoredDeliveriesAndCheckpoints() async throws {
        try await withStore { store, _, _ in
            #expect(try await store.recordIgnoredDelivery(deliveryID: "ping-1", event: "ping", action: nil, outcome: "ping"))
            #expect(try await !store.recordIgnoredDelivery(deliveryID: "ping-1", event: "ping", action: nil, outcome: "ping"))
            #expect(try await store.deliveryRecorded("ping-1"))
            #expect(try await store.checkpoint("redelivery") == nil)
            try await store.setCheckpoint("redelivery", "12345")
            try await store.setCheckpoint("redelivery", "12346")
            #expect(try await store.checkpoint("redelivery") == "12346")
        }
    }
}

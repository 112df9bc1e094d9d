import Foundation
import Testing
@testable import OrchestratorCore

@Suite struct TearDownTests {
    @Test func aRunningInstanceIsTerminatedAndItsRegistrationRemoved() async throws {
        let h = try Harness()
        let answer = try await h.service.launch(request())
        let result = try await h.service.tearDown(runnerName: "runway-ec2-ubuntu-4242-1", jobFinished: false)
        #expect(result == .init(removedFromProvider: true, removedRegistration: true))
        #expect(h.ec2.terminateCalls == [[answer.providerID]])
        #expect(h.github.deleted == [101])
        #expect(h.github.registrations.isEmpty)
    }

    @Test func anAlreadyTerminatedInstanceIsNotTerminatedAgain() async throws {
        let h = try Harness()
        _ = try await h.service.launch(request())
        h.ec2.state.withLock { $0.instances[0].state = "terminated" }
        let result = try await h.service.tearDown(runnerName: "runway-ec2-ubuntu-4242-1", jobFinished: true)
        #expect(result == .init(removedFromProvider: false, removedRegistration: true))
        #expect(h.ec2.terminateCalls.isEmpty)
        // Repeating is harmless.
        let again = try await h.service.tearDown(runnerName: "runway-ec2-ubuntu-4242-1", jobFinished: true)
        #expect(again == .init(removedFromProvider: false, removedRegistration: false))
    }

    @Test func anUnknownRunnerIsAcceptedWithNothingToDo() async throws {
        let h = try Harness()
        let result = try await h.service.tearDown(runnerName: "runway-ec2-ubuntu-999-1", jobFinished: false)
        #expect(result == .init(removedFromProvider: false, removedRegistration: false))
        #expect(h.ec2.terminateCalls.isEmpty)
    }

    @Test func aGhostRegistrationIsRemovedWithTheCallersTarget() async throws {
        let h = try Harness()
        h.github.register("runway-ec2-ubuntu-999-1", id: 9)
        let target = RunnerTarget(scope: .org, owner: "octo-org", repository: nil, enterprise: nil, installationID: 77)
        let result = try await h.service.tearDown(runnerName: "runway-ec2-ubuntu-999-1", jobFinished: false, fallbackTarget: target)
        #expect(result == .init(removedFromProvider: false, removedRegistration: true))
        #expect(h.github.deleted == [9])
    }

    @Test func aBusyRunnerIsLeftAloneUnlessTheJobIsFinished() async throws {
        let h = try Harness()
        _ = try await h.service.launch(request())
        h.github.setBusy("runway-ec2-ubuntu-4242-1")
        let error = await #expect(throws: OrchestratorError.self) {
            try await h.service.tearDown(runnerName: "runway-ec2-ubuntu-4242-1", jobFinished: false)
        }
        #expect(error?.status == 409)
        #expect(h.ec2.terminateCalls.isEmpty)
        #expect(h.github.deleted.isEmpty)

        let result = try await h.service.tearDown(runnerName: "runway-ec2-ubuntu-4242-1", jobFinished: true)
        #expect(result == .init(removedFromProvider: true, removedRegistration: true))
    }

    @Test func githubDownStopsAnUnfinishedTearDownBeforeTouchingTheInstance() async throws {
        let h = try Harness()
        _ = try await h.service.launch(request())
        h.github.setDown(true)
        let error = await #expect(throws: OrchestratorError.self) {
            try await h.service.tearDown(runnerName: "runway-ec2-ubuntu-4242-1", jobFinished: false)
        }
        #expect(error?.status == 503)
        #expect(h.ec2.terminateCalls.isEmpty)
    }

    @Test func aPodAndItsSecretAreDeletedAndTheRegistrationRemoved() async throws {
        let h = try Harness()
        _ = try await h.service.launch(request(pool: "eks-ubuntu"))
        let result = try await h.service.tearDown(runnerName: "runway-eks-ubuntu-4242-1", jobFinished: false)
        #expect(result == .init(removedFromProvider: true, removedRegistration: true))
        #expect(h.k8s.pods.isEmpty)
        #expect(h.k8s.secrets.isEmpty)
        #expect(h.github.deleted == [101])
    }

    /// Regression (fault test): the Orchestrator was killed between deleting a pod and removing its
    /// GitHub registration; the retried tear-down found no pod, so nothing led it to the registration,
    /// which stayed. The provider's resource now goes last.
    @Test func aTearDownCutShortIsFinishedByTheRetry() async throws {
        let h = try Harness()
        _ = try await h.service.launch(request(pool: "eks-ubuntu"))
        h.github.setDown(true)
        await #expect(throws: OrchestratorError.self) {
            try await h.service.tearDown(runnerName: "runway-eks-ubuntu-4242-1", jobFinished: true)
        }
        #expect(h.k8s.pods.count == 1)
        h.github.setDown(false)
        let result = try await h.service.tearDown(runnerName: "runway-eks-ubuntu-4242-1", jobFinished: true)
        #expect(result == .init(removedFromProvider: true, removedRegistration: true))
        #expect(h.k8s.pods.isEmpty)
        #expect(h.github.registrations.isEmpty)
    }

    @Test func runnerNamesOutsideTheServedPoolsAreUnknown() async throws {
        let h = try Harness()
        #expect(h.service.pool(ofRunner: "runway-ec2-ubuntu-1-2")?.name == "ec2-ubuntu")
        #expect(h.service.pool(ofRunner: "runway-eks-ubuntu-1-2")?.name == "eks-ubuntu")
        #expect(h.service.pool(ofRunner: "runway-ec2-1-2") == nil)
        #expect(h.service.pool(ofRunner: "runway-ec2-ubuntu-x-2") == nil)
        #expect(h.service.pool(ofRunner: "runway-ec2-ubuntu-1") == nil)
        let error = await #expect(throws: OrchestratorError.self) {
            try await h.service.tearDown(runnerName: "runway-mac-1-1", jobFinished: false)
        }
        #expect(error?.status == 404)
    }

    @Test func listingShowsLiveInstancesOfOnePool() async throws {
        let h = try Harness()
        _ = try await h.service.launch(request(job: 1))
        _ = try await h.service.launch(request(job: 2))
        _ = try await h.service.launch(request(pool: "ec2-windows", job: 3))
        h.ec2.state.withLock { $0.instances[1].state = "terminated" }
        let runners = try await h.service.list(pool: "ec2-ubuntu")
        #expect(runners.map(\.runnerName) == ["runway-ec2-ubuntu-1-1"])
        #expect(runners.first?.state == "pending")
        #expect(runners.first?.launchedAt != nil)
        let all = try await h.service.list(pool: nil)
        #expect(all.map(\.pool) == ["ec2-ubuntu", "ec2-windows"])
        await #expect(throws: OrchestratorError.unknownPool("nope")) { try await h.service.list(pool: "nope") }
    }
}

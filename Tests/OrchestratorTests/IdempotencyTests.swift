import Foundation
import Testing
@testable import OrchestratorCore

@Suite struct IdempotencyTests {
    @Test(arguments: ["ec2-ubuntu", "eks-ubuntu"])
    func tenConcurrentIdenticalLaunchesMakeOneRunner(pool: String) async throws {
        let h = try Harness(ec2: FakeEC2(runDelay: .milliseconds(50)), k8s: FakeKubernetes(createDelay: .milliseconds(50)))
        let answers = try await withThrowingTaskGroup(of: LaunchAnswer.self) { group in
            for _ in 0..<10 { group.addTask { try await h.service.launch(request(pool: pool)) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.count == 10)
        #expect(Set(answers.map(\.providerID)).count == 1)
        #expect(h.github.generatedCount == 1)
        if pool == "ec2-ubuntu" {
            #expect(h.ec2.runRequests.count == 1)
        } else {
            #expect(h.k8s.podCreates == 1)
            #expect(h.k8s.pods.count == 1)
        }
    }

    @Test(arguments: ["ec2-ubuntu", "eks-ubuntu"])
    func repeatingALaunchAnswersTheSameAndLaunchesNothing(pool: String) async throws {
        let h = try Harness()
        let first = try await h.service.launch(request(pool: pool))
        let second = try await h.service.launch(request(pool: pool))
        #expect(first.providerID == second.providerID)
        #expect(h.github.generatedCount == 1)
        #expect(h.ec2.runRequests.count == (pool == "ec2-ubuntu" ? 1 : 0))
        #expect(h.k8s.podCreates == (pool == "eks-ubuntu" ? 1 : 0))
    }

    @Test func aCrashAfterLaunchLeavesStateTheNextCallCompletes() async throws {
        let ec2 = FakeEC2()
        // A process launched the instance and died before answering.
        ec2.seed(EC2InstanceInfo(
            id: "i-0aaaaaaaaaaaaaaaa", state: "running", instanceType: "c7i.xlarge", subnetID: "subnet-aaa",
            launchTime: Date(timeIntervalSince1970: 1_800_000_000),
            tags: ["runway:runner": "runway-ec2-ubuntu-4242-1", "runway:pool": "ec2-ubuntu", "runway:owner": "octo-org",
                   "runway:installation": "77", "runway:job": "4242"]))
        let h = try Harness(ec2: ec2)
        let answer = try await h.service.launch(request())
        #expect(answer.providerID == "i-0aaaaaaaaaaaaaaaa")
        #expect(ec2.runRequests.isEmpty)
        #expect(h.github.generatedCount == 0)
    }

    @Test func idempotentParameterMismatchFindsTheEarlierLaunch() async throws {
        let ec2 = FakeEC2()
        let h = try Harness(ec2: ec2)
        // Launched once (answer lost); EC2 does not list it for the next two DescribeInstances.
        _ = try await h.service.launch(request())
        let id = try #require(ec2.instances.first?.id)
        ec2.state.withLock {
            $0.hiddenDescribes[id] = 2
            $0.runErrors = [EC2CallError(code: "IdempotentParameterMismatch", message: "token reused", httpStatus: 400)]
        }
        let again = try await h.restarted().service.launch(request())
        #expect(again.providerID == id)
        #expect(ec2.instances.count == 1)
    }

    @Test func anInterruptedPodLaunchIsCompletedWithoutASecondPod() async throws {
        let k8s = FakeKubernetes()
        k8s.state.withLock { $0.failSecretCreates = 10 }
        let h = try Harness(k8s: k8s)
        let error = await #expect(throws: OrchestratorError.self) { try await h.service.launch(request(pool: "eks-ubuntu")) }
        #expect(error?.status == 503)
        #expect(k8s.pods.count == 1)
        #expect(k8s.secrets.isEmpty)

        k8s.state.withLock { $0.failSecretCreates = 0 }
        let answer = try await h.restarted().service.launch(request(pool: "eks-ubuntu"))
        #expect(answer.providerID == "ci/runway-eks-ubuntu-4242-1")
        #expect(k8s.pods.count == 1)
        #expect(k8s.podCreates == 2)
        let secret = try #require(k8s.secrets.first)
        #expect(secret.metadata.ownerReferences?.first?.uid == "uid-1")
        // The registration was regenerated for the secret that finally carries it.
        #expect(h.github.generatedCount == 2)
    }

    @Test func clientTokensAreDeterministicAndShort() {
        let long = "runway-" + String(repeating: "p", count: 40) + "-9223372036854775807-100"
        let token = EC2Provider.clientToken(runnerName: long, combination: 3)
        #expect(token == EC2Provider.clientToken(runnerName: long, combination: 3))
        #expect(token != EC2Provider.clientToken(runnerName: long, combination: 4))
        #expect(token.utf8.count <= 64)
        #expect(token.utf8.allSatisfy { $0 < 0x80 })
    }
}

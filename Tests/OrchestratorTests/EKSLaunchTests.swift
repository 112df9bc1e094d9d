import Foundation
import HTTP
import Testing
@testable import OrchestratorCore

@Suite struct EKSLaunchTests {
    @Test func podAndSecretAreExactlyTheRunnerObjects() async throws {
        let h = try Harness()
        let answer = try await h.service.launch(request(pool: "eks-ubuntu"))
        #expect(answer.providerID == "ci/runway-eks-ubuntu-4242-1")
        #expect(answer.detail == ["namespace": "ci", "image": "ghcr.io/actions/actions-runner:latest"])

        let pod = try #require(h.k8s.pods.first)
        let podJSON = String(decoding: try JSONCoding.encoder.encode(pod), as: UTF8.self)
        #expect(podJSON == """
            {"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{"runway/installation":"77","runway/job":"4242",\
            "runway/owner":"octo-org","runway/pool":"eks-ubuntu","runway/repository":"app","runway/runner":"runway-eks-ubuntu-4242-1",\
            "runway/scope":"org"},"labels":{"app.kubernetes.io/managed-by":"runway","runway/job":"4242","runway/pool":"eks-ubuntu",\
            "runway/runner":"runway-eks-ubuntu-4242-1"},"name":"runway-eks-ubuntu-4242-1","namespace":"ci"},\
            "spec":{"activeDeadlineSeconds":10800,"automountServiceAccountToken":false,"containers":[{"command":["/home/runner/run.sh"],\
            "env":[{"name":"ACTIONS_RUNNER_INPUT_JITCONFIG","valueFrom":{"secretKeyRef":{"key":"jitconfig","name":"runway-eks-ubuntu-4242-1"}}}],\
            "image":"ghcr.io/actions/actions-runner:latest","name":"runner","resources":{"limits":{"cpu":"2","memory":"4Gi"},\
            "requests":{"cpu":"2","memory":"4Gi"}}}],"nodeSelector":{"kubernetes.io/os":"linux"},"restartPolicy":"Never",\
            "terminationGracePeriodSeconds":30,"tolerations":[{"effect":"NoSchedule","key":"dedicated","operator":"Equal","value":"runners"}]}}
            """)
        // The JIT config is only in the secret.
        #expect(!podJSON.contains(JITConfig.fake(101)))

        let secret = try #require(h.k8s.secrets.first)
        let secretJSON = String(decoding: try JSONCoding.encoder.encode(secret), as: UTF8.self)
        #expect(secretJSON == """
            {"apiVersion":"v1","immutable":true,"kind":"Secret","metadata":{"labels":{"app.kubernetes.io/managed-by":"runway",\
            "runway/pool":"eks-ubuntu"},"name":"runway-eks-ubuntu-4242-1","namespace":"ci","ownerReferences":[{"apiVersion":"v1",\
            "kind":"Pod","name":"runway-eks-ubuntu-4242-1","uid":"uid-1"}]},"stringData":{"jitconfig":"\(JITConfig.fake(101))"},"type":"Opaque"}
            """)
        #expect(!String(describing: secret).contains(JITConfig.fake(101)))
    }

    @Test func aPodThatAlreadyExistsIsTreatedAsThere() async throws {
        let h = try Harness()
        _ = try await h.service.launch(request(pool: "eks-ubuntu"))
        // Another replica raced: the pod exists, our lookup missed it.
        let provider = EKSProvider(clusters: ["runners": h.k8s], budget: instantBudget(), logger: .init(label: "t"))
        let pool = try #require(try testPools().first { $0.name == "eks-ubuntu" })
        let spec = LaunchSpec(
            runnerName: "runway-eks-ubuntu-4242-1", pool: pool, jobID: 4242,
            target: RunnerTarget(scope: .org, owner: "octo-org", repository: nil, enterprise: nil, installationID: 77),
            jitConfig: JITConfig(runnerID: 5, encoded: "QUJD"))
        let launched = try await provider.launch(spec)
        #expect(launched.providerID == "ci/runway-eks-ubuntu-4242-1")
        #expect(h.k8s.pods.count == 1)
        #expect(h.k8s.secrets.count == 1)
    }

    @Test func listingReportsPodsOfThePoolWithState() async throws {
        let h = try Harness()
        _ = try await h.service.launch(request(pool: "eks-ubuntu", job: 1))
        _ = try await h.service.launch(request(pool: "eks-ubuntu", job: 2))
        h.k8s.state.withLock { $0.pods["ci/runway-eks-ubuntu-2-1"]?.summary.phase = "Succeeded" }
        let runners = try await h.service.list(pool: "eks-ubuntu")
        #expect(runners.map(\.runnerName) == ["runway-eks-ubuntu-1-1", "runway-eks-ubuntu-2-1"])
        #expect(runners.map(\.state) == ["pending", "terminated"])
        #expect(runners.allSatisfy { $0.launchedAt == Date(timeIntervalSince1970: 1_800_000_000) })
    }
}

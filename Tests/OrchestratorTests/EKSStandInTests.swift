import RunwayTestSupport
import AWS
import Foundation
import HTTPClient
import Kubernetes
import Logging
import RunwayKit
import Testing
@testable import OrchestratorCore

/// EKS end to end: DescribeCluster on a patched moto (signature checking on) → EKS token → the
/// Kubernetes stand-in, which verifies the token like aws-iam-authenticator and validates every
/// object with `kubernetes-validate --strict`.
@Suite(.serialized) struct EKSStandInTests {
    @Test func runnerPodAndSecretAreAcceptedStrictlyAndTornDown() async throws {
        let aws = try await StandInProcess(script: "moto_eks_patch.py", arguments: ["--cluster", "runway-orch"])
        let info = try aws.json()
        let transport = HTTPClient()
        defer { transport.shutdown() }
        let credentials = StaticCredentialsProvider(AWSCredentials(
            accessKeyId: try #require(info["access_key"] as? String), secretAccessKey: try #require(info["secret"] as? String)))
        let configuration = try AWSConfiguration(region: "us-east-1", sharedEndpoint: try #require(info["moto_url"] as? String))
        let eks = EKSClient(client: AWSClient(transport: transport, credentials: credentials, configuration: configuration))
        let connect: @Sendable () async throws -> KubernetesClient = {
            try await KubernetesClient.forEKS(cluster: "runway-orch", eks: eks, transport: transport, credentials: credentials)
        }
        let adapter = KubernetesAdapter(connect: connect)
        let logger = Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() })
        let yaml = """
            pools:
              - name: eks-ubuntu
                host: eks
                os: ubuntu
                labels: [k8s]
                orchestrator_url: http://127.0.0.1:1
                max_lifetime: 3h
                eks:
                  cluster: runway-orch
                  namespace: runway
                  resources:
                    requests: {cpu: "2", memory: 4Gi}
                    limits: {cpu: "2", memory: 4Gi}
                  node_selector: {kubernetes.io/os: linux}
                  tolerations:
                    - {key: dedicated, operator: Equal, value: runners, effect: NoSchedule}
                    - {key: spot, operator: Exists, effect: NoExecute, tolerationSeconds: "30"}
            """
        let pools = try PoolsConfig.parse(yaml).pools
        let github = FakeGitHub()
        let service = RunnerService(
            pools: pools, providers: [.eks: EKSProvider(clusters: ["runway-orch": adapter], budget: instantBudget(), logger: logger)],
            github: github, logger: logger)
        let request = LaunchRequest(
            runnerName: "runway-eks-ubuntu-5-1", pool: "eks-ubuntu", jobID: 5, labels: ["k8s"], owner: "octo-org",
            repository: nil, installationID: 77)

        let answer = try await service.launch(request)
        #expect(answer.providerID == "runway/runway-eks-ubuntu-5-1")
        #expect(try await service.launch(request) == answer)
        #expect(github.generatedCount == 1)

        let kube = try await connect()
        let pod = try await kube.get(Pod.self, name: "runway-eks-ubuntu-5-1", namespace: "runway")
        let spec = try #require(pod.spec)
        #expect(spec.restartPolicy == "Never")
        #expect(spec.activeDeadlineSeconds == 10800)
        #expect(spec.automountServiceAccountToken == false)
        #expect(spec.nodeSelector == ["kubernetes.io/os": "linux"])
        #expect(spec.tolerations?.last?.tolerationSeconds == 30)
        let container = try #require(spec.containers.first)
        #expect(container.image == "ghcr.io/actions/actions-runner:latest")
        #expect(container.command == ["/home/runner/run.sh"])
        #expect(container.env?.first?.name == "ACTIONS_RUNNER_INPUT_JITCONFIG")
        #expect(container.env?.first?.value == nil)
        #expect(container.env?.first?.valueFrom?.secretKeyRef?.name == "runway-eks-ubuntu-5-1")
        #expect(container.resources?.limits == ["cpu": "2", "memory": "4Gi"])
        let secret = try await kube.get(Secret.self, name: "runway-eks-ubuntu-5-1", namespace: "runway")
        #expect(secret.value("jitconfig") == Array(JITConfig.fake(101).utf8))
        #expect(secret.immutable == true)
        #expect(secret.metadata.ownerReferences?.first?.uid == pod.metadata.uid)
        #expect(secret.metadata.ownerReferences?.first?.kind == "Pod")

        let listed = try await service.list(pool: "eks-ubuntu")
        #expect(listed.map(\.runnerName) == ["runway-eks-ubuntu-5-1"])
        #expect(listed.first?.launchedAt != nil)

        #expect(await adapter.probe(namespace: "runway") == nil)
        #expect(await adapter.probe(namespace: "forbidden") != nil)

        let result = try await service.tearDown(runnerName: "runway-eks-ubuntu-5-1", jobFinished: false)
        #expect(result == .init(removedFromProvider: true, removedRegistration: true))
        #expect(try await adapter.getPod(namespace: "runway", name: "runway-eks-ubuntu-5-1") == nil)
        #expect(try await adapter.secretExists(namespace: "runway", name: "runway-eks-ubuntu-5-1") == false)
        #expect(try await service.tearDown(runnerName: "runway-eks-ubuntu-5-1", jobFinished: false).removedFromProvider == false)

        // Ten replicas (no shared single-flight) race on one name: the API server's 409 keeps it one pod.
        let replicas = (0..<10).map { _ in
            RunnerService(
                pools: pools, providers: [.eks: EKSProvider(clusters: ["runway-orch": adapter], budget: instantBudget(), logger: logger)],
                github: FakeGitHub(), logger: logger)
        }
        let raced = LaunchRequest(
            runnerName: "runway-eks-ubuntu-6-1", pool: "eks-ubuntu", jobID: 6, labels: ["k8s"], owner: "octo-org",
            repository: nil, installationID: 77)
        let answers = try await withThrowingTaskGroup(of: LaunchAnswer.self) { group in
            for replica in replicas { group.addTask { try await replica.launch(raced) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(answers.map(\.providerID)) == ["runway/runway-eks-ubuntu-6-1"])
        let pods = try await kube.listAll(Pod.self, namespace: "runway", labelSelector: "runway/job=6")
        #expect(pods.count == 1)
        #expect(try await adapter.secretExists(namespace: "runway", name: "runway-eks-ubuntu-6-1"))
    }
}

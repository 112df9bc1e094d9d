import RunwayTestSupport
import AWS
import Foundation
import HTTP
import HTTPClient
import Testing
@testable import Kubernetes

/// DescribeCluster (patched moto, signature checking on) → EKS token → Kubernetes stand-in.
@Suite(.serialized) struct EKSEndToEndTests {
    @Test func describeClusterThenManagePodsAndPreflight() async throws {
        let aws = try await StandInProcess(script: "moto_eks_patch.py", arguments: ["--cluster", "runway-e2e"])
        let transport = HTTPClient()
        defer { transport.shutdown() }
        let credentials = StaticCredentialsProvider(AWSCredentials(accessKeyId: try aws.string("access_key"), secretAccessKey: try aws.string("secret")))
        let configuration = try AWSConfiguration(environment: ["AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": try aws.string("moto_url")])
        let eks = EKSClient(client: AWSClient(transport: transport, credentials: credentials, configuration: configuration))

        let cluster = try await eks.describeCluster("runway-e2e")
        #expect(cluster.endpoint == "https://127.0.0.1:\(try aws.int("k8s_port"))")
        #expect(cluster.certificateAuthorityPEM == (try aws.file("ca")))

        let kube = try await KubernetesClient.forEKS(cluster: "runway-e2e", eks: eks, transport: transport, credentials: credentials)
        let pod = Pod(metadata: ObjectMeta(name: "runway-eks-ubuntu-1-1", labels: ["app.kubernetes.io/managed-by": "runway"]),
                      spec: PodSpec(containers: [Container(name: "runner", image: "ghcr.io/actions/actions-runner:latest", command: ["/home/runner/run.sh"])]))
        _ = try await kube.create(pod, namespace: "runway")
        #expect(try await kube.listAll(Pod.self, namespace: "runway", labelSelector: "app.kubernetes.io/managed-by=runway").count == 1)

        #expect(await preflight(eks: eks, cluster: "runway-e2e", namespace: "runway", transport: transport, credentials: credentials).isEmpty)
        let forbidden = await preflight(eks: eks, cluster: "runway-e2e", namespace: "forbidden", transport: transport, credentials: credentials)
        #expect(forbidden.count == 2)
        #expect(forbidden.allSatisfy { $0.contains("Forbidden") })
        let missingNamespace = await preflight(eks: eks, cluster: "runway-e2e", namespace: "nope", transport: transport, credentials: credentials)
        #expect(missingNamespace.count == 1 && missingNamespace[0].contains("NotFound"))
        let missing = await preflight(eks: eks, cluster: "no-such-cluster", namespace: "runway", transport: transport, credentials: credentials)
        #expect(missing.count == 1 && missing[0].contains("ResourceNotFoundException"))
    }
}

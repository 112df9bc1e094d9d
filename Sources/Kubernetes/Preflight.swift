import AWS
import HTTPClient

/// Checks that an EKS pool can launch: the cluster exists and is active, its API server answers
/// with our credentials over TLS pinned to its CA, pods can be listed in `namespace`, and a
/// Secret can be created there (dry run: nothing is stored). Returns every problem found, empty
/// when all is well.
public func preflight(
    eks: EKSClient, cluster: String, namespace: String, transport: any HTTPTransport, credentials: any AWSCredentialsProvider
) async -> [String] {
    let kube: KubernetesClient
    do {
        kube = try await KubernetesClient.forEKS(cluster: cluster, eks: eks, transport: transport, credentials: credentials)
    } catch {
        return ["EKS cluster \(cluster): \(error.code): \(error.message)"]
    }
    var problems: [String] = []
    do {
        _ = try await kube.list(Pod.self, namespace: namespace, limit: 1)
    } catch {
        problems.append("EKS cluster \(cluster) namespace \(namespace): listing pods failed: \(error.reason.rawValue): \(error.message)")
        if error.reason == .transport || error.status == 401 { return problems }
    }
    do {
        let probe = Secret(metadata: ObjectMeta(name: "runway-preflight", labels: ["app.kubernetes.io/managed-by": "runway"]),
                           values: ["probe": Array("1".utf8)])
        _ = try await kube.create(probe, namespace: namespace, dryRun: true)
    } catch {
        problems.append("EKS cluster \(cluster) namespace \(namespace): creating a secret (dry run) failed: \(error.reason.rawValue): \(error.message)")
    }
    return problems
}

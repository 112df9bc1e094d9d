import AWS
import HTTPClient
import Logging

extension KubernetesClient {
    /// A client for an EKS cluster: DescribeCluster gives the endpoint and CA, and tokens come
    /// from an `EKSTokenProvider` over `credentials`.
    ///
    /// Throws `AWSError` when the cluster cannot be described or is not usable (no endpoint or
    /// CA, not `ACTIVE`/`UPDATING`).
    public static func forEKS(
        cluster name: String, eks: EKSClient, transport: any HTTPTransport, credentials: any AWSCredentialsProvider,
        logger: Logger = Logger(label: "runway.kubernetes")
    ) async throws(AWSError) -> KubernetesClient {
        let cluster = try await eks.describeCluster(name)
        guard cluster.status == "ACTIVE" || cluster.status == "UPDATING" else {
            throw AWSError(code: "ClusterNotActive", message: "cluster \(name) is \(cluster.status ?? "in an unknown state")", retryable: true)
        }
        guard let endpoint = cluster.endpoint, endpoint.hasPrefix("https://"), let ca = cluster.certificateAuthorityPEM,
              String(decoding: ca, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") else {
            throw AWSError(code: .malformedResponse, message: "cluster \(name) has no https endpoint or no PEM certificate authority", retryable: false)
        }
        let tokens = EKSTokenProvider(generator: EKSTokenGenerator(clusterName: name, region: eks.client.configuration.region),
                                      credentials: credentials)
        return KubernetesClient(endpoint: endpoint, caBundlePEM: ca, transport: transport, tokens: tokens, logger: logger)
    }
}

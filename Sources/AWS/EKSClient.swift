import Foundation
import HTTP
import HTTPClient
import Signing

/// What Runway needs of an EKS cluster.
public struct EKSCluster: Sendable, Equatable {
    /// Cluster name.
    public var name: String
    /// ARN.
    public var arn: String?
    /// `https://…` API server URL.
    public var endpoint: String?
    /// The cluster CA bundle (PEM, decoded from `certificateAuthority.data`).
    public var certificateAuthorityPEM: [UInt8]?
    /// `ACTIVE`, `CREATING`, `UPDATING`, ….
    public var status: String?
    /// Kubernetes version, e.g. `1.31`.
    public var version: String?
    /// `API`, `API_AND_CONFIG_MAP` or `CONFIG_MAP`.
    public var authenticationMode: String?
}

/// EKS over REST-JSON.
public struct EKSClient: Sendable {
    /// The signing/sending machinery.
    public let client: AWSClient

    /// Creates a client.
    public init(client: AWSClient) { self.client = client }

    /// `GET /clusters/{name}`; `ResourceNotFoundException` when there is no such cluster.
    public func describeCluster(_ name: String) async throws(AWSError) -> EKSCluster {
        let response = try await client.send(
            service: .eks, operation: "DescribeCluster", method: "GET",
            path: "/clusters/" + SigV4Encoding.encode(name), decodeError: AWSErrorDecoding.json)
        return try Self.decodeCluster(response.body, requestId: AWSErrorDecoding.headerRequestId(response))
    }

    struct Wire: Decodable {
        struct Cluster: Decodable {
            struct CA: Decodable { var data: String? }
            struct Access: Decodable { var authenticationMode: String? }
            var name: String
            var arn: String?
            var endpoint: String?
            var certificateAuthority: CA?
            var status: String?
            var version: String?
            var accessConfig: Access?
        }
        var cluster: Cluster
    }

    /// Decodes `{"cluster": {...}}`; a CA that is not base64 is a `MalformedResponse`.
    public static func decodeCluster(_ body: [UInt8], requestId: String? = nil) throws(AWSError) -> EKSCluster {
        let wire: Wire
        do { wire = try JSONDecoder().decode(Wire.self, from: Data(body)) } catch {
            throw AWSError.malformed("DescribeCluster response is not the expected JSON", status: 200, requestId: requestId)
        }
        var pem: [UInt8]?
        if let data = wire.cluster.certificateAuthority?.data, !data.isEmpty {
            guard let decoded = Base64.decode(data) else {
                throw AWSError.malformed("cluster certificateAuthority.data is not base64", status: 200, requestId: requestId)
            }
            pem = decoded
        }
        let c = wire.cluster
        return EKSCluster(name: c.name, arn: c.arn, endpoint: c.endpoint, certificateAuthorityPEM: pem, status: c.status,
                          version: c.version, authenticationMode: c.accessConfig?.authenticationMode)
    }
}

import Foundation
import HTTP
import HTTPClient

/// The EC2 instance profile over IMDSv2: `PUT /latest/api/token`, then the role name and its
/// credentials with `X-aws-ec2-metadata-token`. The endpoint is `AWS_EC2_METADATA_SERVICE_ENDPOINT`
/// (default `http://169.254.169.254`); short timeouts keep a miss off EC2 quick.
public struct IMDSCredentialsProvider: AWSCredentialsProvider {
    let endpoint: String
    let transport: any HTTPTransport

    /// Creates a provider from `environment`.
    public init(environment: [String: String], transport: any HTTPTransport) {
        var endpoint = AWSConfiguration.nonEmpty(environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"]) ?? "http://169.254.169.254"
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        self.endpoint = endpoint
        self.transport = transport
    }

    /// Whether IMDS is disabled (`AWS_EC2_METADATA_DISABLED=true`).
    public static func isDisabled(_ environment: [String: String]) -> Bool {
        environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true"
    }

    public func credentials() async throws -> AWSCredentials {
        let token = try await fetch("PUT", "/latest/api/token", ["X-aws-ec2-metadata-token-ttl-seconds": "21600"])
        let auth: HTTPHeaders = ["X-aws-ec2-metadata-token": String(decoding: token, as: UTF8.self).trimmingWhitespace()]
        let roles = String(decoding: try await fetch("GET", "/latest/meta-data/iam/security-credentials/", auth), as: UTF8.self)
        guard let role = roles.split(whereSeparator: \.isNewline).first.map(String.init), !role.isEmpty else {
            throw AWSError(code: .noCredentials, message: "the instance has no IAM role", retryable: false)
        }
        let body = try await fetch("GET", "/latest/meta-data/iam/security-credentials/" + SigV4Encoding.encode(role), auth)
        return try ProviderJSON.decode(body, source: "instance metadata service")
    }

    private func fetch(_ method: String, _ path: String, _ headers: HTTPHeaders) async throws(AWSError) -> [UInt8] {
        let request = ClientRequest(method: method, url: endpoint + path, headers: headers, timeout: .seconds(2), connectTimeout: .seconds(1),
                                    retry: RetryPolicy(maxAttempts: 2, retryNonIdempotent: true))
        let response: ClientResponse
        do { response = try await transport.execute(request) } catch { throw AWSError.transport(error) }
        guard response.status == 200 else {
            throw AWSError(code: .credentialsProvider, message: "instance metadata service answered HTTP \(response.status) to \(method) \(path.prefix(40))",
                           status: response.status, retryable: response.status >= 500)
        }
        return response.body
    }
}

import Foundation
import HTTP
import HTTPClient

/// EKS IRSA and other OIDC federation: `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`
/// (+ `AWS_ROLE_SESSION_NAME`), exchanged with STS `AssumeRoleWithWebIdentity`.
///
/// The call is not signed (STS authenticates the token itself); the token file is read on every
/// refresh because the kubelet rotates it.
public struct WebIdentityCredentialsProvider: AWSCredentialsProvider {
    let tokenFile: String
    let roleArn: String
    let sessionName: String
    let stsEndpoint: String
    let transport: any HTTPTransport

    /// Creates a provider; `stsEndpoint` comes from `AWSConfiguration.endpoint(for: .sts)`.
    public init(tokenFile: String, roleArn: String, sessionName: String, stsEndpoint: String, transport: any HTTPTransport) {
        self.tokenFile = tokenFile
        self.roleArn = roleArn
        self.sessionName = sessionName
        self.stsEndpoint = stsEndpoint
        self.transport = transport
    }

    /// Whether the variables are set.
    public static func isConfigured(_ environment: [String: String]) -> Bool {
        AWSConfiguration.nonEmpty(environment["AWS_WEB_IDENTITY_TOKEN_FILE"]) != nil && AWSConfiguration.nonEmpty(environment["AWS_ROLE_ARN"]) != nil
    }

    public func credentials() async throws -> AWSCredentials {
        let token: String
        do { token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingWhitespace() } catch {
            throw AWSError(code: .credentialsProvider, message: "cannot read AWS_WEB_IDENTITY_TOKEN_FILE", retryable: true)
        }
        let form = EC2Query.body(action: "AssumeRoleWithWebIdentity", apiVersion: STSClient.version, parameters: [
            ("RoleArn", roleArn), ("RoleSessionName", sessionName), ("WebIdentityToken", token),
        ])
        let request = ClientRequest(method: "POST", url: stsEndpoint + "/", headers: ["Content-Type": EC2Query.contentType], body: form,
                                    timeout: .seconds(10), retry: RetryPolicy(retryNonIdempotent: true))
        let response: ClientResponse
        do { response = try await transport.execute(request) } catch { throw AWSError.transport(error) }
        guard response.status == 200 else { throw AWSErrorDecoding.xml(response) }
        guard let root = try? XMLReader.parse(response.body),
              let creds = root.path("AssumeRoleWithWebIdentityResult", "Credentials"),
              let key = creds.string("AccessKeyId"), let secret = creds.string("SecretAccessKey") else {
            throw AWSError.malformed("AssumeRoleWithWebIdentity response is not the expected XML", status: response.status, requestId: nil)
        }
        return AWSCredentials(accessKeyId: key, secretAccessKey: secret, sessionToken: creds.string("SessionToken"),
                              expiration: creds.string("Expiration").flatMap(EC2Decoding.parseDate))
    }
}

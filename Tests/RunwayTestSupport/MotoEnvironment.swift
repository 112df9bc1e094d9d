import AWS
import Foundation
import HTTPClient
import Testing

/// The moto server `scripts/test-env.sh` starts (signature checking on): its URL and the
/// credentials of the IAM user it was seeded with.
public struct MotoEnvironment: Sendable {
    public let url: String
    public let credentials: AWSCredentials

    /// Reads `RUNWAY_TEST_MOTO_URL` and `RUNWAY_TEST_AWS_*`; fails the test outside test-env.
    public init() throws {
        let env = ProcessInfo.processInfo.environment
        url = try #require(env["RUNWAY_TEST_MOTO_URL"], "run inside scripts/test-env.sh")
        credentials = AWSCredentials(
            accessKeyId: try #require(env["RUNWAY_TEST_AWS_ACCESS_KEY_ID"]),
            secretAccessKey: try #require(env["RUNWAY_TEST_AWS_SECRET_ACCESS_KEY"]))
    }

    /// A SigV4-signed Query call to a service Runway has no client for (IAM setup in tests).
    public func query(service: String, body: String, transport: any HTTPTransport) async throws -> ClientResponse {
        let signer = SigV4Signer(region: "us-east-1", service: service)
        let request = ClientRequest(
            method: "POST", url: url + "/", headers: ["Content-Type": EC2Query.contentType], body: Array(body.utf8))
        return try await transport.execute(try signer.sign(request, credentials: credentials, date: Date()))
    }
}

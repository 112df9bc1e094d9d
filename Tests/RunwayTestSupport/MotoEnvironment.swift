import AWS
import Foundation
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
}

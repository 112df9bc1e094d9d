/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and optional `AWS_SESSION_TOKEN`.
public struct EnvironmentCredentialsProvider: AWSCredentialsProvider {
    let environment: [String: String]

    /// Reads from `environment` (a copy of the process environment in production).
    public init(environment: [String: String]) { self.environment = environment }

    /// Whether the variables are set.
    public static func isConfigured(_ environment: [String: String]) -> Bool {
        AWSConfiguration.nonEmpty(environment["AWS_ACCESS_KEY_ID"]) != nil
    }

    public func credentials() async throws -> AWSCredentials {
        guard let key = AWSConfiguration.nonEmpty(environment["AWS_ACCESS_KEY_ID"]),
              let secret = AWSConfiguration.nonEmpty(environment["AWS_SECRET_ACCESS_KEY"]) else {
            throw AWSError(code: .noCredentials, message: "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not", retryable: false)
        }
        return AWSCredentials(accessKeyId: key, secretAccessKey: secret, sessionToken: AWSConfiguration.nonEmpty(environment["AWS_SESSION_TOKEN"]))
    }
}

import Foundation
import HTTPClient
import Logging

/// The standard AWS credential chain, decided from the environment once at start:
/// environment keys → web identity (IRSA) → container credentials (ECS, EKS Pod Identity) →
/// EC2 instance profile (IMDSv2). The chosen source is wrapped in a
/// `CachingCredentialsProvider`, so credentials are refreshed single-flight before expiry.
public enum DefaultCredentialChain {
    /// Which source the chain picked, for logs and `runway aws whoami`.
    public enum Source: String, Sendable {
        case environment, webIdentity = "web-identity", container, instanceMetadata = "instance-metadata"
    }

    /// The source `environment` selects; nil when none applies (IMDS disabled, nothing set).
    public static func source(for environment: [String: String]) -> Source? {
        if EnvironmentCredentialsProvider.isConfigured(environment) { return .environment }
        if WebIdentityCredentialsProvider.isConfigured(environment) { return .webIdentity }
        if ContainerCredentialsProvider.isConfigured(environment) { return .container }
        if !IMDSCredentialsProvider.isDisabled(environment) { return .instanceMetadata }
        return nil
    }

    /// Builds the provider for `environment`.
    public static func make(
        environment: [String: String], configuration: AWSConfiguration, transport: any HTTPTransport,
        logger: Logger = Logger(label: "runway.aws.credentials")
    ) throws(AWSError) -> any AWSCredentialsProvider {
        let inner: any AWSCredentialsProvider
        switch source(for: environment) {
        case .environment:
            inner = EnvironmentCredentialsProvider(environment: environment)
        case .webIdentity:
            inner = WebIdentityCredentialsProvider(
                tokenFile: environment["AWS_WEB_IDENTITY_TOKEN_FILE"]!, roleArn: environment["AWS_ROLE_ARN"]!,
                sessionName: AWSConfiguration.nonEmpty(environment["AWS_ROLE_SESSION_NAME"]) ?? "runway-\(Int(Date().timeIntervalSince1970))",
                stsEndpoint: configuration.endpoint(for: .sts), transport: transport)
        case .container:
            inner = try ContainerCredentialsProvider(environment: environment, transport: transport)
        case .instanceMetadata:
            inner = IMDSCredentialsProvider(environment: environment, transport: transport)
        case nil:
            throw AWSError(code: .noCredentials, message: "no AWS credentials configured and instance metadata is disabled", retryable: false)
        }
        return CachingCredentialsProvider(source: inner, logger: logger)
    }
}

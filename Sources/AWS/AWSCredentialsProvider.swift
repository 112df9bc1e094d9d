import Foundation

/// Something that hands out AWS credentials (a fixed key, the default chain, a refreshing cache).
public protocol AWSCredentialsProvider: Sendable {
    /// Current credentials; throws `AWSError` when none can be obtained.
    func credentials() async throws -> AWSCredentials
}

/// Always returns the same credentials.
public struct StaticCredentialsProvider: AWSCredentialsProvider {
    let value: AWSCredentials

    /// Wraps fixed credentials.
    public init(_ credentials: AWSCredentials) { value = credentials }

    public func credentials() async throws -> AWSCredentials { value }
}

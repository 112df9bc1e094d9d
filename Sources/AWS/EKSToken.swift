import Foundation
import HTTP
import HTTPClient
import Signing

/// Builds EKS bearer tokens the way `aws eks get-token` and aws-iam-authenticator do: a
/// presigned STS `GetCallerIdentity` GET signed with header `x-k8s-aws-id: <cluster>`,
/// `X-Amz-Expires=60`, encoded `k8s-aws-v1.` + base64url without padding.
///
/// The URL always names the regional AWS STS host (the API server's authenticator accepts
/// only STS hosts), even when an emulator endpoint is configured for STS calls.
public struct EKSTokenGenerator: Sendable {
    /// Token prefix.
    public static let prefix = "k8s-aws-v1."
    /// `X-Amz-Expires` of the presigned URL (awscli and iam-authenticator use 60).
    public static let presignExpires = 60
    /// How long EKS accepts a token after its `X-Amz-Date` (15 minutes).
    public static let serverLifetime: TimeInterval = 15 * 60

    /// The cluster name (`x-k8s-aws-id`).
    public let clusterName: String
    /// The STS region; the host is `sts.<region>.<dnsSuffix>`.
    public let region: String
    private let signer: SigV4Signer
    private let stsHost: String

    /// Creates a generator for one cluster.
    public init(clusterName: String, region: String) {
        self.clusterName = clusterName
        self.region = region
        signer = SigV4Signer(region: region, service: "sts", options: .init(addContentSHA256Header: false))
        stsHost = "sts.\(region).\(region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com")"
    }

    /// The presigned URL for `credentials` at `date`.
    public func presignedURL(credentials: AWSCredentials, date: Date) throws(AWSError) -> String {
        let request = ClientRequest(
            method: "GET", url: "https://\(stsHost)/?Action=GetCallerIdentity&Version=\(STSClient.version)",
            headers: ["x-k8s-aws-id": clusterName])
        return try signer.presign(request, credentials: credentials, date: date, expires: Self.presignExpires)
    }

    /// The bearer token for `credentials` at `date`.
    public func token(credentials: AWSCredentials, date: Date) throws(AWSError) -> String {
        Self.prefix + Base64.urlEncode(Array(try presignedURL(credentials: credentials, date: date).utf8))
    }
}

/// Caches an EKS token and makes a new one well before the API server would reject it:
/// after `refreshAfter` (default 5 minutes of the 15 the server allows), or 1 minute before
/// the underlying session credentials expire, whichever comes first.
public actor EKSTokenProvider {
    private let generator: EKSTokenGenerator
    private let credentials: any AWSCredentialsProvider
    private let refreshAfter: TimeInterval
    private let now: @Sendable () -> Date
    private var cached: (token: String, refreshAt: Date)?

    /// Creates a provider for one cluster.
    public init(
        generator: EKSTokenGenerator, credentials: any AWSCredentialsProvider, refreshAfter: TimeInterval = 300,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.generator = generator
        self.credentials = credentials
        self.refreshAfter = min(refreshAfter, EKSTokenGenerator.serverLifetime - 60)
        self.now = now
    }

    /// A token valid for at least a few more minutes.
    public func token() async throws -> String {
        let date = now()
        if let cached, date < cached.refreshAt { return cached.token }
        let creds = try await credentials.credentials()
        let token = try generator.token(credentials: creds, date: date)
        var refreshAt = date.addingTimeInterval(refreshAfter)
        if let expiration = creds.expiration { refreshAt = min(refreshAt, expiration.addingTimeInterval(-60)) }
        cached = (token, refreshAt)
        return token
    }

    /// Drops the cached token (after a 401, for instance).
    public func invalidate() { cached = nil }
}

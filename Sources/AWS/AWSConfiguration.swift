/// The AWS services Runway calls.
public enum AWSService: String, Sendable, CaseIterable {
    case ec2, sts, eks

    /// The SigV4 signing name.
    public var signingName: String { rawValue }

    /// The suffix of the per-service endpoint variable, `AWS_ENDPOINT_URL_<suffix>`.
    public var environmentSuffix: String { rawValue.uppercased() }
}

/// Region and endpoints, resolved from environment-style variables.
///
/// Region: `AWS_REGION`, else `AWS_DEFAULT_REGION` (required). Endpoint per service:
/// `AWS_ENDPOINT_URL_<SERVICE>`, else `AWS_ENDPOINT_URL`, else the regional AWS endpoint
/// (`https://<service>.<region>.amazonaws.com`, `.amazonaws.com.cn` in China regions).
public struct AWSConfiguration: Sendable, Equatable {
    /// The region, e.g. `us-east-1`.
    public var region: String
    /// Per-service endpoint overrides (emulators such as moto).
    public var endpointOverrides: [AWSService: String]
    /// An endpoint for every service (`AWS_ENDPOINT_URL`), used when no per-service override is set.
    public var sharedEndpoint: String?

    /// Creates a configuration; throws `InvalidRegion` for a malformed region name.
    public init(region: String, endpointOverrides: [AWSService: String] = [:], sharedEndpoint: String? = nil) throws(AWSError) {
        guard Self.isValidRegion(region) else {
            throw AWSError(code: .invalidRegion, message: "region '\(region.prefix(40))' is not a valid AWS region name", retryable: false)
        }
        self.region = region
        self.endpointOverrides = endpointOverrides
        self.sharedEndpoint = sharedEndpoint
    }

    /// Reads `AWS_REGION`/`AWS_DEFAULT_REGION` and the endpoint variables from `environment`.
    public init(environment: [String: String]) throws(AWSError) {
        guard let region = Self.nonEmpty(environment["AWS_REGION"]) ?? Self.nonEmpty(environment["AWS_DEFAULT_REGION"]) else {
            throw AWSError(code: .invalidRegion, message: "AWS_REGION (or AWS_DEFAULT_REGION) is not set", retryable: false)
        }
        var overrides: [AWSService: String] = [:]
        for service in AWSService.allCases {
            if let url = Self.nonEmpty(environment["AWS_ENDPOINT_URL_\(service.environmentSuffix)"]) { overrides[service] = url }
        }
        try self.init(region: region, endpointOverrides: overrides, sharedEndpoint: Self.nonEmpty(environment["AWS_ENDPOINT_URL"]))
    }

    /// The base URL (no trailing slash) for `service`.
    public func endpoint(for service: AWSService) -> String {
        var url = endpointOverrides[service] ?? sharedEndpoint ?? "https://\(service.rawValue).\(region).\(dnsSuffix)"
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    /// Whether requests go to AWS itself (no override for `service`).
    public func isAWSEndpoint(for service: AWSService) -> Bool {
        endpointOverrides[service] == nil && sharedEndpoint == nil
    }

    /// The partition's DNS suffix.
    public var dnsSuffix: String { region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com" }

    /// `xx-name-N` (with optional extra parts such as `us-gov-west-1`).
    public static func isValidRegion(_ region: String) -> Bool {
        let parts = region.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3, region.utf8.count <= 32 else { return false }
        guard parts[0].count == 2, parts[0].allSatisfy({ $0.isASCII && $0.isLowercase }) else { return false }
        guard let last = parts.last, !last.isEmpty, last.count <= 2, last.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
        return parts.dropFirst().dropLast().allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isLowercase } }
    }

    static func nonEmpty(_ s: String?) -> String? {
        guard let s, !s.isEmpty else { return nil }
        return s
    }
}

import Foundation

/// The consumer-owned seam over the AWS module's EC2 client: the three calls runners need.
/// Methods throw `EC2CallError`; anything else thrown is treated as a transient failure.
public protocol EC2API: Sendable {
    /// RunInstances for exactly one instance; returns it as launched.
    func runInstances(_ request: EC2RunRequest) async throws -> EC2InstanceInfo
    /// DescribeInstances with the filters (AND'ed; values OR'ed), all pages.
    func describeInstances(filters: [EC2InstanceFilter]) async throws -> [EC2InstanceInfo]
    /// DescribeInstances with the filters, each page handed to `page` as it arrives, so a listing
    /// of a large pool never holds every instance's full description at once.
    func describeInstances(filters: [EC2InstanceFilter], page: (_ instances: [EC2InstanceInfo]) -> Void) async throws
    /// TerminateInstances (idempotent at EC2).
    func terminateInstances(ids: [String]) async throws
}

extension EC2API {
    /// One page holding every instance: for implementations without paging (test fakes).
    public func describeInstances(filters: [EC2InstanceFilter], page: (_ instances: [EC2InstanceInfo]) -> Void) async throws {
        page(try await describeInstances(filters: filters))
    }
}

/// One RunInstances call: exactly the parameters sent.
public struct EC2RunRequest: Sendable, Equatable {
    /// `ImageId`.
    public var imageID: String
    /// `InstanceType`.
    public var instanceType: String
    /// `SubnetId` (nil: the default VPC's).
    public var subnetID: String?
    /// `SecurityGroupId.N`.
    public var securityGroupIDs: [String]
    /// `IamInstanceProfile.Name`, or `.Arn` when it starts with `arn:`.
    public var instanceProfile: String?
    /// The boot script, raw; the adapter base64-encodes it. Contains the JIT config: never log it.
    public var userData: String
    /// Tags on the instance and its volumes (`TagSpecification.1` instance, `.2` volume), sorted by key.
    public var tags: [EC2Tag]
    /// `InstanceMarketOptions.MarketType=spot` (one-time, terminate on interruption) when true.
    public var spot: Bool
    /// Root volume size (`BlockDeviceMapping.1.Ebs.VolumeSize`), nil: the AMI's.
    public var rootVolumeGiB: Int?
    /// Root device name for the block device mapping (`/dev/sda1` on Ubuntu and Windows AMIs).
    public var rootDeviceName: String
    /// `MetadataOptions.HttpPutResponseHopLimit`; `HttpTokens=required`, `HttpEndpoint=enabled` always.
    public var metadataHopLimit: Int
    /// `ClientToken` (≤ 64 ASCII characters).
    public var clientToken: String
    /// `InstanceInitiatedShutdownBehavior`, always `terminate` for runners.
    public var shutdownBehavior: String = "terminate"
}

/// A tag key/value.
public struct EC2Tag: Sendable, Equatable, Hashable {
    /// Key.
    public var key: String
    /// Value.
    public var value: String

    /// Creates a tag.
    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
}

/// A DescribeInstances filter.
public struct EC2InstanceFilter: Sendable, Equatable {
    /// Filter name, e.g. `tag:runway:runner`, `instance-state-name`.
    public var name: String
    /// Accepted values (OR'ed).
    public var values: [String]

    /// Creates a filter.
    public init(_ name: String, _ values: [String]) {
        self.name = name
        self.values = values
    }
}

/// An instance as DescribeInstances/RunInstances report it.
public struct EC2InstanceInfo: Sendable, Equatable {
    /// `i-…`.
    public var id: String
    /// `pending`, `running`, `shutting-down`, `terminated`, `stopping`, `stopped`.
    public var state: String
    /// Instance type.
    public var instanceType: String
    /// The AMI it was launched from.
    public var imageID: String?
    /// Subnet, if any.
    public var subnetID: String?
    /// `spot` for spot instances, nil for on-demand.
    public var lifecycle: String?
    /// Launch time.
    public var launchTime: Date?
    /// Tags.
    public var tags: [String: String]

    /// Creates an instance description.
    public init(
        id: String, state: String, instanceType: String, imageID: String? = nil, subnetID: String? = nil,
        lifecycle: String? = nil, launchTime: Date? = nil, tags: [String: String] = [:]
    ) {
        self.id = id
        self.state = state
        self.instanceType = instanceType
        self.imageID = imageID
        self.subnetID = subnetID
        self.lifecycle = lifecycle
        self.launchTime = launchTime
        self.tags = tags
    }
}

/// An EC2 error: AWS's code, message and request id, classified for the Orchestrator.
public struct EC2CallError: Error, Sendable, Equatable, CustomStringConvertible {
    /// How to react.
    public enum Kind: String, Sendable {
        /// Throttling: back off and retry within the budget, then 503.
        case throttled
        /// No capacity for this type/subnet/market: try the next combination.
        case capacity
        /// Same ClientToken with different parameters: an earlier launch with this token happened.
        case idempotencyMismatch
        /// 5xx or transport failure: retry within the budget.
        case transient
        /// Bad image, unauthorised, invalid parameter, limit reached: 422 with the code.
        case permanent
    }

    /// AWS's error code, e.g. `InsufficientInstanceCapacity`.
    public var code: String
    /// AWS's message (safe: AWS does not echo parameters such as user data).
    public var message: String
    /// `x-amzn-RequestId` / `<RequestID>`.
    public var requestID: String?
    /// Classification from `code` and `httpStatus`.
    public var kind: Kind

    /// Creates an error, classifying `code` (and `httpStatus` for codes not listed).
    public init(code: String, message: String, requestID: String? = nil, httpStatus: Int? = nil) {
        self.code = code
        self.message = message
        self.requestID = requestID
        self.kind = Self.classify(code: code, httpStatus: httpStatus)
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }

    static let throttlingCodes: Set<String> = [
        "RequestLimitExceeded", "Throttling", "ThrottlingException", "EC2ThrottledException", "RequestThrottled",
        "RequestThrottledException", "TooManyRequestsException", "SlowDown",
    ]
    static let capacityCodes: Set<String> = [
        "InsufficientInstanceCapacity", "InsufficientCapacity", "InsufficientHostCapacity", "Unsupported",
        "MaxSpotInstanceCountExceeded", "SpotMaxPriceTooLow", "InsufficientFreeAddressesInSubnet",
    ]
    static let transientCodes: Set<String> = [
        "InternalError", "InternalFailure", "ServiceUnavailable", "Unavailable", "RequestTimeout",
        "PriorRequestNotComplete", "RequestExpired", "Transport", "TransportError", "NoCredentials", "Cancelled",
        "MalformedResponse",
    ]

    static func classify(code: String, httpStatus: Int?) -> Kind {
        let bare = code.hasPrefix("Client.") || code.hasPrefix("Server.") ? String(code.drop { $0 != "." }.dropFirst()) : code
        if throttlingCodes.contains(bare) { return .throttled }
        if capacityCodes.contains(bare) { return .capacity }
        if bare == "IdempotentParameterMismatch" { return .idempotencyMismatch }
        if transientCodes.contains(bare) { return .transient }
        if let httpStatus, httpStatus >= 500 { return .transient }
        return .permanent
    }
}

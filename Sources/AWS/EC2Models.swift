import Foundation

/// An EC2 instance as DescribeInstances/RunInstances report it.
public struct EC2Instance: Sendable, Equatable {
    /// Instance state (`code & 0xFF` of the wire value).
    public enum State: String, Sendable {
        case pending, running, shuttingDown = "shutting-down", terminated, stopping, stopped, unknown

        /// From the numeric code (high byte is internal to EC2 and ignored).
        public init(code: Int) {
            switch code & 0xFF {
            case 0: self = .pending
            case 16: self = .running
            case 32: self = .shuttingDown
            case 48: self = .terminated
            case 64: self = .stopping
            case 80: self = .stopped
            default: self = .unknown
            }
        }
    }

    /// `i-…`.
    public var instanceId: String
    /// `ami-…`.
    public var imageId: String?
    /// Current state.
    public var state: State
    /// e.g. `c7i.xlarge`.
    public var instanceType: String?
    /// Launch time.
    public var launchTime: Date?
    /// Echo of the idempotency token.
    public var clientToken: String?
    /// Tags by key.
    public var tags: [String: String]
    /// `spot` for spot instances, nil for on-demand.
    public var instanceLifecycle: String?
    /// Subnet of the primary interface.
    public var subnetId: String?
    /// Private IPv4 address.
    public var privateIpAddress: String?
    /// Security group ids.
    public var securityGroupIds: [String]
    /// ARN of the attached instance profile.
    public var iamInstanceProfileArn: String?
    /// Why the instance changed state (e.g. `Server.SpotInstanceTermination`).
    public var stateReasonCode: String?
    /// IMDS `HttpTokens` (`required` = IMDSv2 only).
    public var metadataHttpTokens: String?
    /// IMDS PUT hop limit.
    public var metadataHopLimit: Int?
}

/// One instance's state change reported by TerminateInstances.
public struct EC2InstanceStateChange: Sendable, Equatable {
    /// `i-…`.
    public var instanceId: String
    /// State before the call.
    public var previousState: EC2Instance.State
    /// State after the call (`shutting-down` or `terminated`).
    public var currentState: EC2Instance.State
}

/// RunInstances' answer.
public struct RunInstancesResult: Sendable, Equatable {
    /// `r-…`.
    public var reservationId: String?
    /// The launched instances (one for a runner).
    public var instances: [EC2Instance]
    /// AWS request id.
    public var requestId: String?
}

/// One page of DescribeInstances.
public struct DescribeInstancesPage: Sendable, Equatable {
    /// Instances of every reservation on this page.
    public var instances: [EC2Instance]
    /// Token for the next page; nil on the last.
    public var nextToken: String?
}

/// An AMI (preflight).
public struct EC2Image: Sendable, Equatable {
    /// `ami-…`.
    public var imageId: String
    /// Image name.
    public var name: String?
    /// `available`, `pending`, `failed`, ….
    public var state: String?
    /// `x86_64` or `arm64`.
    public var architecture: String?
    /// `windows` for Windows AMIs.
    public var platform: String?
}

/// A subnet (preflight).
public struct EC2Subnet: Sendable, Equatable {
    /// `subnet-…`.
    public var subnetId: String
    /// `vpc-…`.
    public var vpcId: String?
    /// e.g. `us-east-1a`.
    public var availabilityZone: String?
    /// `available` or `pending`.
    public var state: String?
    /// Free IPv4 addresses.
    public var availableIpAddressCount: Int?
}

/// A security group (preflight).
public struct EC2SecurityGroup: Sendable, Equatable {
    /// `sg-…`.
    public var groupId: String
    /// Group name.
    public var groupName: String?
    /// `vpc-…`.
    public var vpcId: String?
}

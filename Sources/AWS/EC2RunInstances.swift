import Signing

/// A RunInstances call: one runner per launch.
public struct RunInstancesRequest: Sendable, Equatable {
    /// A tag to apply at launch.
    public struct Tag: Sendable, Equatable {
        /// Tag key.
        public var key: String
        /// Tag value.
        public var value: String
        /// Creates a tag.
        public init(_ key: String, _ value: String) { self.key = key; self.value = value }
    }

    /// Tags for one resource type (`instance`, `volume`, `network-interface`, `spot-instances-request`).
    public struct TagSpecification: Sendable, Equatable {
        /// Resource type.
        public var resourceType: String
        /// Tags.
        public var tags: [Tag]
        /// Creates a specification.
        public init(resourceType: String, tags: [Tag]) { self.resourceType = resourceType; self.tags = tags }
    }

    /// Instance metadata service settings.
    public struct MetadataOptions: Sendable, Equatable {
        /// `required` = IMDSv2 only (default).
        public var httpTokens: String
        /// `enabled` (default) or `disabled`.
        public var httpEndpoint: String
        /// PUT response hop limit; 2 when containers on the host need IMDS (default nil = AWS default 1).
        public var httpPutResponseHopLimit: Int?
        /// Creates options.
        public init(httpTokens: String = "required", httpEndpoint: String = "enabled", httpPutResponseHopLimit: Int? = nil) {
            self.httpTokens = httpTokens
            self.httpEndpoint = httpEndpoint
            self.httpPutResponseHopLimit = httpPutResponseHopLimit
        }
    }

    /// Spot launch (`InstanceMarketOptions.MarketType=spot`).
    public struct Spot: Sendable, Equatable {
        /// Optional maximum hourly price.
        public var maxPrice: String?
        /// `one-time` (default).
        public var spotInstanceType: String
        /// `terminate` (default).
        public var interruptionBehavior: String
        /// Creates spot options.
        public init(maxPrice: String? = nil, spotInstanceType: String = "one-time", interruptionBehavior: String = "terminate") {
            self.maxPrice = maxPrice
            self.spotInstanceType = spotInstanceType
            self.interruptionBehavior = interruptionBehavior
        }
    }

    /// The root EBS volume (`BlockDeviceMapping.1`).
    public struct RootVolume: Sendable, Equatable {
        /// Device name of the AMI's root device, e.g. `/dev/sda1`.
        public var deviceName: String
        /// Size in GiB.
        public var sizeGiB: Int
        /// Volume type (default `gp3`).
        public var volumeType: String
        /// Creates a root volume; it is always deleted with the instance.
        public init(deviceName: String, sizeGiB: Int, volumeType: String = "gp3") {
            self.deviceName = deviceName
            self.sizeGiB = sizeGiB
            self.volumeType = volumeType
        }
    }

    /// The instance profile, by name or ARN.
    public enum InstanceProfile: Sendable, Equatable {
        case name(String), arn(String)
    }

    /// `ImageId`: the AMI with the runner preinstalled.
    public var imageId: String
    /// `InstanceType`, e.g. `c7i.xlarge`.
    public var instanceType: String
    /// `MinCount` (1: one runner per launch).
    public var minCount = 1
    /// `MaxCount` (1).
    public var maxCount = 1
    /// `SubnetId`.
    public var subnetId: String?
    /// `SecurityGroupId.N`.
    public var securityGroupIds: [String] = []
    /// Raw user data (the boot script); sent base64-encoded.
    public var userData: [UInt8]?
    /// `IamInstanceProfile.Name` or `.Arn`.
    public var iamInstanceProfile: InstanceProfile?
    /// `terminate` so that `shutdown -h now` at the end of the job removes the instance.
    public var instanceInitiatedShutdownBehavior: String? = "terminate"
    /// `MetadataOptions.*` (IMDSv2 required by default).
    public var metadataOptions: MetadataOptions? = MetadataOptions()
    /// Idempotency token (≤ 64 ASCII characters).
    public var clientToken: String?
    /// Spot launch when set, on-demand otherwise.
    public var spot: Spot?
    /// `TagSpecification.N` (instance, volume).
    public var tagSpecifications: [TagSpecification] = []
    /// Root volume override, nil: the AMI's.
    public var rootVolume: RootVolume?

    /// Creates a request with Runway's defaults (IMDSv2 required, shutdown terminates).
    public init(imageId: String, instanceType: String) {
        self.imageId = imageId
        self.instanceType = instanceType
    }

    /// The Query parameters in botocore's order (after `Action` and `Version`).
    public var queryParameters: [(String, String)] {
        var p: [(String, String)] = [
            ("ImageId", imageId), ("InstanceType", instanceType),
            ("MinCount", String(minCount)), ("MaxCount", String(maxCount)),
        ]
        if let subnetId { p.append(("SubnetId", subnetId)) }
        p += EC2Query.list("SecurityGroupId", securityGroupIds)
        if let userData { p.append(("UserData", Base64.encode(userData))) }
        switch iamInstanceProfile {
        case .name(let name): p.append(("IamInstanceProfile.Name", name))
        case .arn(let arn): p.append(("IamInstanceProfile.Arn", arn))
        case nil: break
        }
        if let instanceInitiatedShutdownBehavior { p.append(("InstanceInitiatedShutdownBehavior", instanceInitiatedShutdownBehavior)) }
        if let m = metadataOptions {
            p.append(("MetadataOptions.HttpTokens", m.httpTokens))
            p.append(("MetadataOptions.HttpEndpoint", m.httpEndpoint))
            if let hops = m.httpPutResponseHopLimit { p.append(("MetadataOptions.HttpPutResponseHopLimit", String(hops))) }
        }
        if let clientToken { p.append(("ClientToken", clientToken)) }
        if let spot {
            p.append(("InstanceMarketOptions.MarketType", "spot"))
            if let price = spot.maxPrice { p.append(("InstanceMarketOptions.SpotOptions.MaxPrice", price)) }
            p.append(("InstanceMarketOptions.SpotOptions.SpotInstanceType", spot.spotInstanceType))
            p.append(("InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior", spot.interruptionBehavior))
        }
        if let root = rootVolume {
            p.append(("BlockDeviceMapping.1.DeviceName", root.deviceName))
            p.append(("BlockDeviceMapping.1.Ebs.VolumeSize", String(root.sizeGiB)))
            p.append(("BlockDeviceMapping.1.Ebs.VolumeType", root.volumeType))
            p.append(("BlockDeviceMapping.1.Ebs.DeleteOnTermination", "true"))
        }
        for (i, spec) in tagSpecifications.enumerated() {
            let prefix = "TagSpecification.\(i + 1)"
            p.append(("\(prefix).ResourceType", spec.resourceType))
            for (j, tag) in spec.tags.enumerated() {
                p.append(("\(prefix).Tag.\(j + 1).Key", tag.key))
                p.append(("\(prefix).Tag.\(j + 1).Value", tag.value))
            }
        }
        return p
    }
}

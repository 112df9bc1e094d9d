import Foundation

/// Decodes EC2 XML response bodies into typed values.
public enum EC2Decoding {
    /// Parses a body; a body that is not XML is a `MalformedResponse` error.
    static func root(_ body: [UInt8], expecting name: String) throws(AWSError) -> XMLNode {
        let root: XMLNode
        do { root = try XMLReader.parse(body) } catch {
            throw AWSError.malformed("EC2 response is not well-formed XML (\(error.reason))", status: 200, requestId: nil)
        }
        guard root.name == name else {
            throw AWSError.malformed("expected <\(name)>, got <\(root.name.prefix(40))>", status: 200, requestId: root.string("requestId"))
        }
        return root
    }

    /// `RunInstancesResponse`.
    public static func runInstances(_ body: [UInt8]) throws(AWSError) -> RunInstancesResult {
        let root = try root(body, expecting: "RunInstancesResponse")
        let instances = try root.items("instancesSet").map { item throws(AWSError) in try instance(item) }
        return RunInstancesResult(reservationId: root.string("reservationId"), instances: instances, requestId: root.string("requestId"))
    }

    /// `DescribeInstancesResponse`.
    public static func describeInstances(_ body: [UInt8]) throws(AWSError) -> DescribeInstancesPage {
        let root = try root(body, expecting: "DescribeInstancesResponse")
        var instances: [EC2Instance] = []
        for reservation in root.items("reservationSet") {
            for item in reservation.items("instancesSet") { instances.append(try instance(item)) }
        }
        return DescribeInstancesPage(instances: instances, nextToken: root.string("nextToken"))
    }

    /// `TerminateInstancesResponse`; accepts the current `<currentState>` and the obsolete `<shutdownState>`.
    public static func terminateInstances(_ body: [UInt8]) throws(AWSError) -> [EC2InstanceStateChange] {
        let root = try root(body, expecting: "TerminateInstancesResponse")
        return try root.items("instancesSet").map { item throws(AWSError) in
            guard let id = item.string("instanceId") else { throw missing("instanceId", root) }
            return EC2InstanceStateChange(
                instanceId: id,
                previousState: state(item.child("previousState")),
                currentState: state(item.child("currentState") ?? item.child("shutdownState")))
        }
    }

    /// `DescribeImagesResponse`.
    public static func describeImages(_ body: [UInt8]) throws(AWSError) -> [EC2Image] {
        let root = try root(body, expecting: "DescribeImagesResponse")
        return root.items("imagesSet").compactMap { item in
            item.string("imageId").map {
                EC2Image(imageId: $0, name: item.string("name"), state: item.string("imageState"),
                         architecture: item.string("architecture"), platform: item.string("platform"))
            }
        }
    }

    /// `DescribeSubnetsResponse`.
    public static func describeSubnets(_ body: [UInt8]) throws(AWSError) -> [EC2Subnet] {
        let root = try root(body, expecting: "DescribeSubnetsResponse")
        return root.items("subnetSet").compactMap { item in
            item.string("subnetId").map {
                EC2Subnet(subnetId: $0, vpcId: item.string("vpcId"), availabilityZone: item.string("availabilityZone"),
                          state: item.string("state"), availableIpAddressCount: item.string("availableIpAddressCount").flatMap { Int($0) })
            }
        }
    }

    /// `DescribeSecurityGroupsResponse`.
    public static func describeSecurityGroups(_ body: [UInt8]) throws(AWSError) -> [EC2SecurityGroup] {
        let root = try root(body, expecting: "DescribeSecurityGroupsResponse")
        return root.items("securityGroupInfo").compactMap { item in
            item.string("groupId").map { EC2SecurityGroup(groupId: $0, groupName: item.string("groupName"), vpcId: item.string("vpcId")) }
        }
    }

    /// `DescribeInstanceAttributeResponse`: the `<value>` of the one attribute asked for.
    public static func describeInstanceAttribute(_ body: [UInt8], attribute: String) throws(AWSError) -> String? {
        let root = try root(body, expecting: "DescribeInstanceAttributeResponse")
        return root.child(attribute)?.string("value")
    }

    static func instance(_ item: XMLNode) throws(AWSError) -> EC2Instance {
        guard let id = item.string("instanceId") else { throw missing("instanceId", item) }
        var tags: [String: String] = [:]
        for tag in item.items("tagSet") {
            if let key = tag.string("key") { tags[key] = tag.string("value") ?? "" }
        }
        return EC2Instance(
            instanceId: id, imageId: item.string("imageId"), state: state(item.child("instanceState")),
            instanceType: item.string("instanceType"), launchTime: item.string("launchTime").flatMap(parseDate),
            clientToken: item.string("clientToken"), tags: tags, instanceLifecycle: item.string("instanceLifecycle"),
            subnetId: item.string("subnetId"), privateIpAddress: item.string("privateIpAddress"),
            securityGroupIds: item.items("groupSet").compactMap { $0.string("groupId") },
            iamInstanceProfileArn: item.child("iamInstanceProfile")?.string("arn"),
            stateReasonCode: item.child("stateReason")?.string("code"),
            metadataHttpTokens: item.child("metadataOptions")?.string("httpTokens"),
            metadataHopLimit: item.child("metadataOptions")?.string("httpPutResponseHopLimit").flatMap { Int($0) })
    }

    static func state(_ node: XMLNode?) -> EC2Instance.State {
        guard let node else { return .unknown }
        if let code = node.string("code").flatMap({ Int($0) }) { return EC2Instance.State(code: code) }
        return node.string("name").flatMap(EC2Instance.State.init(rawValue:)) ?? .unknown
    }

    static func missing(_ element: String, _ node: XMLNode) -> AWSError {
        AWSError.malformed("EC2 response lacks <\(element)>", status: 200, requestId: nil)
    }

    /// ISO 8601 with or without fractional seconds.
    static func parseDate(_ s: String) -> Date? {
        if let d = try? Date(s, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return d }
        return try? Date(s, strategy: Date.ISO8601FormatStyle())
    }
}

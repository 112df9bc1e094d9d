import HTTP
import HTTPClient

/// EC2 over the Query API: launch, list and terminate runner instances, and the lookups
/// preflight needs. Every call is a signed form POST to `/`; RunInstances is retried
/// safely only because it carries a `ClientToken`.
public struct EC2Client: Sendable {
    /// The signing/sending machinery.
    public let client: AWSClient

    /// Creates a client.
    public init(client: AWSClient) { self.client = client }

    /// Launches instances; pass a deterministic `clientToken` so a retry launches nothing new.
    public func runInstances(_ request: RunInstancesRequest) async throws(AWSError) -> RunInstancesResult {
        try EC2Decoding.runInstances(try await call("RunInstances", request.queryParameters))
    }

    /// One page of DescribeInstances.
    public func describeInstances(
        filters: [EC2Filter] = [], instanceIds: [String] = [], maxResults: Int? = nil, nextToken: String? = nil
    ) async throws(AWSError) -> DescribeInstancesPage {
        var p = EC2Query.list("InstanceId", instanceIds) + EC2Query.filters(filters)
        if let maxResults { p.append(("MaxResults", String(maxResults))) }
        if let nextToken { p.append(("NextToken", nextToken)) }
        return try EC2Decoding.describeInstances(try await call("DescribeInstances", p))
    }

    /// Every instance matching `filters`, following `NextToken` (at most `maxPages` pages).
    public func describeAllInstances(filters: [EC2Filter], pageSize: Int = 100, maxPages: Int = 100) async throws(AWSError) -> [EC2Instance] {
        var all: [EC2Instance] = []
        var token: String?
        for _ in 0..<maxPages {
            let page = try await describeInstances(filters: filters, maxResults: pageSize, nextToken: token)
            all += page.instances
            guard let next = page.nextToken, !next.isEmpty else { return all }
            token = next
        }
        return all
    }

    /// Terminates instances (idempotent: terminating twice succeeds).
    public func terminateInstances(_ instanceIds: [String]) async throws(AWSError) -> [EC2InstanceStateChange] {
        try EC2Decoding.terminateInstances(try await call("TerminateInstances", EC2Query.list("InstanceId", instanceIds)))
    }

    /// Images by id (and filters).
    public func describeImages(_ imageIds: [String], filters: [EC2Filter] = []) async throws(AWSError) -> [EC2Image] {
        try EC2Decoding.describeImages(try await call("DescribeImages", EC2Query.list("ImageId", imageIds) + EC2Query.filters(filters)))
    }

    /// Subnets by id (and filters).
    public func describeSubnets(_ subnetIds: [String], filters: [EC2Filter] = []) async throws(AWSError) -> [EC2Subnet] {
        try EC2Decoding.describeSubnets(try await call("DescribeSubnets", EC2Query.list("SubnetId", subnetIds) + EC2Query.filters(filters)))
    }

    /// Security groups by id (and filters).
    public func describeSecurityGroups(_ groupIds: [String], filters: [EC2Filter] = []) async throws(AWSError) -> [EC2SecurityGroup] {
        try EC2Decoding.describeSecurityGroups(try await call("DescribeSecurityGroups", EC2Query.list("GroupId", groupIds) + EC2Query.filters(filters)))
    }

    /// One attribute of an instance (`userData`, `instanceInitiatedShutdownBehavior`, `instanceType`, …).
    public func describeInstanceAttribute(_ instanceId: String, attribute: String) async throws(AWSError) -> String? {
        let body = try await call("DescribeInstanceAttribute", [("InstanceId", instanceId), ("Attribute", attribute)])
        return try EC2Decoding.describeInstanceAttribute(body, attribute: attribute)
    }

    func call(_ action: String, _ parameters: [(String, String)]) async throws(AWSError) -> [UInt8] {
        let response = try await client.send(
            service: .ec2, operation: action, method: "POST", path: "/",
            headers: ["Content-Type": EC2Query.contentType], body: EC2Query.body(action: action, parameters: parameters),
            decodeError: AWSErrorDecoding.xml)
        return response.body
    }
}

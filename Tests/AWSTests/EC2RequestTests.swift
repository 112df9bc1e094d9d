import Foundation
import Testing
import HTTP
import HTTPClient
@testable import AWS

/// Request bodies and signatures botocore produced for the same EC2 calls.
@Suite struct EC2RequestVectorTests {
    static var requests: [[String: Any]] {
        (try? Fixture.json("ec2/ec2-query-requests.botocore-generated.json"))?["requests"] as? [[String: Any]] ?? []
    }

    static func vector(_ operation: String) -> [String: Any] {
        requests.first { $0["operation"] as? String == operation }!
    }

    static var runInstances: RunInstancesRequest {
        var r = RunInstancesRequest(imageId: "ami-0123456789abcdef0", instanceType: "c7i.xlarge")
        r.subnetId = "subnet-0123456789abcdef0"
        r.securityGroupIds = ["sg-0123456789abcdef0"]
        r.userData = Array("#!/bin/bash\necho hello\n".utf8)
        r.iamInstanceProfile = .name("runner-profile")
        r.metadataOptions = .init(httpTokens: "required", httpEndpoint: "enabled")
        r.clientToken = "job-123456-attempt-1"
        r.spot = .init()
        r.tagSpecifications = [.init(resourceType: "instance", tags: [.init("runner-manager/job-id", "123456"), .init("Name", "gha-runner-123456")])]
        return r
    }

    static let bodies: [String: [UInt8]] = [
        "RunInstances": EC2Query.body(action: "RunInstances", parameters: runInstances.queryParameters),
        "DescribeInstances": EC2Query.body(action: "DescribeInstances", parameters: EC2Query.filters([
            .tag("runner-manager/job-id", "123456"), EC2Filter("instance-state-name", ["pending", "running"]),
        ]) + [("MaxResults", "100")]),
        "TerminateInstances": EC2Query.body(action: "TerminateInstances", parameters: EC2Query.list("InstanceId", ["i-0123456789abcdef0"])),
    ]

    @Test(arguments: ["RunInstances", "DescribeInstances", "TerminateInstances"])
    func bodyAndSignatureMatchBotocore(_ operation: String) throws {
        let v = Self.vector(operation)
        let body = try #require(Self.bodies[operation])
        #expect(String(decoding: body, as: UTF8.self) == v["body"] as! String)
        let headers = v["headers"] as! [String: String]
        // botocore does not send x-amz-content-sha256 for EC2; sign the same header set to compare.
        let signer = SigV4Signer(region: "us-east-1", service: "ec2", options: .init(addContentSHA256Header: false))
        let request = ClientRequest(method: "POST", url: v["url"] as! String, headers: ["Content-Type": EC2Query.contentType], body: body)
        let signed = try signer.sign(request, credentials: TestAWS.credentials, date: TestAWS.date)
        #expect(signed.headers["Authorization"] == headers["Authorization"])
    }

    @Test func clientSendsSignedFormPostWithContentHash() async throws {
        let transport = FakeTransport(body: try Fixture.text("ec2/libcloud/run_instances.xml"))
        let ec2 = EC2Client(client: try TestAWS.client(transport))
        _ = try await ec2.runInstances(Self.runInstances)
        let sent = try #require(transport.requests.first)
        #expect(sent.method == "POST")
        #expect(sent.url == "https://ec2.us-east-1.amazonaws.com/")
        #expect(sent.body == Self.bodies["RunInstances"])
        #expect(sent.headers["X-Amz-Content-Sha256"] != nil)
        #expect(sent.headers["Authorization"]?.contains("SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date,") == true)
        #expect(sent.retry == nil)
    }

    @Test func runInstancesDefaultsAskForIMDSv2AndTerminateOnShutdown() {
        let p = Dictionary(RunInstancesRequest(imageId: "ami-1", instanceType: "t3.micro").queryParameters, uniquingKeysWith: { a, _ in a })
        #expect(p["MetadataOptions.HttpTokens"] == "required")
        #expect(p["InstanceInitiatedShutdownBehavior"] == "terminate")
        #expect(p["MinCount"] == "1" && p["MaxCount"] == "1")
        #expect(p["InstanceMarketOptions.MarketType"] == nil)
    }
}

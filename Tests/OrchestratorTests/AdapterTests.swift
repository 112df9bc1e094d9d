import AWS
import Foundation
import Testing
@testable import OrchestratorCore

@Suite struct AdapterTests {
    /// The exact EC2 Query parameters one runner launch sends (after `Action`/`Version`).
    @Test func runInstancesGoesOnTheWireWithExactlyTheRunnerParameters() async throws {
        let h = try Harness()
        _ = try await h.service.launch(request())
        let sent = try #require(h.ec2.runRequests.first)
        let wire = AWSEC2Adapter.runInstancesRequest(sent).queryParameters
        let tagPairs = sent.tags.enumerated().flatMap { i, tag in
            [("Tag.\(i + 1).Key", tag.key), ("Tag.\(i + 1).Value", tag.value)]
        }
        var expected: [(String, String)] = [
            ("ImageId", "ami-0123456789abcdef0"), ("InstanceType", "c7i.xlarge"), ("MinCount", "1"), ("MaxCount", "1"),
            ("SubnetId", "subnet-aaa"), ("SecurityGroupId.1", "sg-111"), ("SecurityGroupId.2", "sg-222"),
            ("UserData", Data(sent.userData.utf8).base64EncodedString()), ("IamInstanceProfile.Name", "runway-runner"),
            ("InstanceInitiatedShutdownBehavior", "terminate"), ("MetadataOptions.HttpTokens", "required"),
            ("MetadataOptions.HttpEndpoint", "enabled"), ("MetadataOptions.HttpPutResponseHopLimit", "1"),
            ("ClientToken", sent.clientToken),
            ("InstanceMarketOptions.MarketType", "spot"),
            ("InstanceMarketOptions.SpotOptions.SpotInstanceType", "one-time"),
            ("InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior", "terminate"),
        ]
        for (n, type) in ["instance", "volume"].enumerated() {
            expected.append(("TagSpecification.\(n + 1).ResourceType", type))
            expected += tagPairs.map { ("TagSpecification.\(n + 1).\($0.0)", $0.1) }
        }
        expected += [
            ("BlockDeviceMapping.1.DeviceName", "/dev/sda1"), ("BlockDeviceMapping.1.Ebs.VolumeSize", "64"),
            ("BlockDeviceMapping.1.Ebs.VolumeType", "gp3"), ("BlockDeviceMapping.1.Ebs.DeleteOnTermination", "true"),
        ]
        #expect(Set(wire.map { "\($0.0)=\($0.1)" }) == Set(expected.map { "\($0.0)=\($0.1)" }))
        #expect(wire.count == expected.count)
    }

    @Test func anInstanceProfileArnIsSentAsArn() throws {
        var pools = try testPools()
        pools[1].ec2?.instanceProfile = "arn:aws:iam::123456789012:instance-profile/runner"
        let spec = LaunchSpec(
            runnerName: "runway-ec2-windows-1-1", pool: pools[1], jobID: 1,
            target: RunnerTarget(scope: .repo, owner: "o", repository: "r", enterprise: nil, installationID: 1),
            jitConfig: JITConfig(runnerID: 1, encoded: "QUJD"))
        let settings = try #require(pools[1].ec2)
        let request = try #require(EC2Provider.runRequests(spec: spec, settings: settings, userData: "x").first)
        let wire = Dictionary(AWSEC2Adapter.runInstancesRequest(request).queryParameters, uniquingKeysWith: { a, _ in a })
        #expect(wire["IamInstanceProfile.Arn"] == "arn:aws:iam::123456789012:instance-profile/runner")
        #expect(wire["IamInstanceProfile.Name"] == nil)
        #expect(wire["InstanceMarketOptions.MarketType"] == nil)
        #expect(wire["BlockDeviceMapping.1.DeviceName"] == nil)
    }

    @Test(arguments: [
        ("RequestLimitExceeded", 503, EC2CallError.Kind.throttled), ("InsufficientInstanceCapacity", 500, .capacity),
        ("IdempotentParameterMismatch", 400, .idempotencyMismatch), ("InternalError", 500, .transient),
        ("Transport", 0, .transient), ("UnauthorizedOperation", 403, .permanent), ("InvalidAMIID.NotFound", 400, .permanent),
        ("Client.UnauthorizedOperation", 403, .permanent), ("Server.InsufficientInstanceCapacity", 500, .capacity),
    ])
    func awsErrorsAreClassified(code: String, status: Int, kind: EC2CallError.Kind) {
        let error = AWSEC2Adapter.callError(AWSError(code: .init(rawValue: code), message: "m", requestId: "r-1", status: status == 0 ? nil : status))
        #expect(error.kind == kind)
        #expect(error.code == code)
        #expect(error.requestID == "r-1")
    }
}

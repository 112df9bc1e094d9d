import Foundation
import HTTP
import HTTPClient
import Testing
@testable import AWS

/// RunInstances sends exactly what was asked: read back with DescribeInstances / DescribeInstanceAttribute.
@Suite(.serialized) struct MotoEC2Tests {
    @Test func runInstancesParametersReadBack() async throws {
        let moto = try Moto()
        defer { moto.transport.shutdown() }
        let ec2 = EC2Client(client: try moto.client())
        let profile = "runway-runner-\(UUID().uuidString.prefix(8))"
        let created = try await moto.query(service: "iam", body: "Action=CreateInstanceProfile&Version=2010-05-08&InstanceProfileName=\(profile)")
        #expect(created.status == 200)

        let image = try #require(try await ec2.describeImages([], filters: [EC2Filter("architecture", ["x86_64"])]).first)
        let subnet = try #require(try await ec2.describeSubnets([]).first)
        let group = try #require(try await ec2.describeSecurityGroups([], filters: [EC2Filter("vpc-id", [subnet.vpcId ?? ""])]).first)
        let runner = "runway-ec2-ubuntu-\(UInt32.random(in: 1...UInt32.max))-1"

        var request = RunInstancesRequest(imageId: image.imageId, instanceType: "c7i.xlarge")
        request.subnetId = subnet.subnetId
        request.securityGroupIds = [group.groupId]
        request.userData = Array("#!/bin/bash\necho runner & run\n".utf8)
        request.iamInstanceProfile = .name(profile)
        request.metadataOptions = .init(httpTokens: "required", httpEndpoint: "enabled", httpPutResponseHopLimit: 2)
        request.clientToken = runner
        request.spot = .init()
        request.tagSpecifications = [
            .init(resourceType: "instance", tags: [.init("runway:runner-name", runner), .init("runway:pool", "ec2-ubuntu")]),
            .init(resourceType: "volume", tags: [.init("runway:runner-name", runner)]),
        ]
        let launched = try await ec2.runInstances(request)
        let id = try #require(launched.instances.first?.instanceId)
        #expect(launched.instances.count == 1)

        let found = try await ec2.describeAllInstances(filters: [.tag("runway:runner-name", runner)])
        let instance = try #require(found.first)
        #expect(found.count == 1)
        #expect(instance.instanceId == id)
        #expect(instance.imageId == image.imageId)
        #expect(instance.instanceType == "c7i.xlarge")
        #expect(instance.subnetId == subnet.subnetId)
        #expect(instance.securityGroupIds == [group.groupId])
        #expect(instance.tags == ["runway:runner-name": runner, "runway:pool": "ec2-ubuntu"])
        #expect(instance.clientToken == runner)
        #expect(instance.instanceLifecycle == "spot")
        #expect(instance.iamInstanceProfileArn?.hasSuffix("instance-profile/\(profile)") == true)
        #expect(instance.metadataHttpTokens == "required")
        #expect(instance.metadataHopLimit == 2)
        #expect(try await ec2.describeInstanceAttribute(id, attribute: "userData") == "IyEvYmluL2Jhc2gKZWNobyBydW5uZXIgJiBydW4K")
        #expect(try await ec2.describeInstanceAttribute(id, attribute: "instanceInitiatedShutdownBehavior") == "terminate")

        let changes = try await ec2.terminateInstances([id])
        #expect(changes.first?.instanceId == id)
        #expect([.shuttingDown, .terminated].contains(changes.first?.currentState))
        let again = try await ec2.terminateInstances([id])
        #expect(again.first?.instanceId == id)
    }

    @Test func describeInstancesPaginates() async throws {
        let moto = try Moto()
        defer { moto.transport.shutdown() }
        let ec2 = EC2Client(client: try moto.client())
        let image = try #require(try await ec2.describeImages([], filters: [EC2Filter("architecture", ["x86_64"])]).first)
        let batch = UUID().uuidString
        var ids: Set<String> = []
        for _ in 0..<3 {
            var r = RunInstancesRequest(imageId: image.imageId, instanceType: "t3.micro")
            r.tagSpecifications = [.init(resourceType: "instance", tags: [.init("runway:batch", batch)])]
            ids.formUnion(try await ec2.runInstances(r).instances.map(\.instanceId))
        }
        let first = try await ec2.describeInstances(filters: [.tag("runway:batch", batch)], maxResults: 2)
        #expect(first.instances.count == 2)
        #expect(first.nextToken != nil)
        let all = try await ec2.describeAllInstances(filters: [.tag("runway:batch", batch), EC2Filter("instance-state-name", ["pending", "running"])], pageSize: 2)
        #expect(Set(all.map(\.instanceId)) == ids)
        _ = try await ec2.terminateInstances(Array(ids))
    }

    @Test func missingInstanceIsATypedError() async throws {
        let moto = try Moto()
        defer { moto.transport.shutdown() }
        let ec2 = EC2Client(client: try moto.client())
        do { _ = try await ec2.terminateInstances(["i-0000000000000dead"]); Issue.record("no error") } catch {
            #expect(error.code == .invalidInstanceIDNotFound)
            #expect(error.requestId != nil)
        }
    }
}

/// `preflight(ec2:…)` against moto: real resources pass, missing ones are each reported.
@Suite struct MotoPreflightTests {
    @Test func preflightReportsEveryMissingResource() async throws {
        let moto = try Moto()
        defer { moto.transport.shutdown() }
        let ec2 = EC2Client(client: try moto.client())
        let image = try #require(try await ec2.describeImages([], filters: [EC2Filter("architecture", ["x86_64"])]).first)
        let subnet = try #require(try await ec2.describeSubnets([]).first)
        let group = try #require(try await ec2.describeSecurityGroups([]).first)
        #expect(await preflight(ec2: ec2, imageId: image.imageId, subnetIds: [subnet.subnetId], securityGroupIds: [group.groupId]).isEmpty)

        let problems = await preflight(ec2: ec2, imageId: "ami-00000000000000000", subnetIds: [subnet.subnetId, "subnet-00000000000000000"],
                                       securityGroupIds: ["sg-00000000000000000"])
        #expect(problems.count == 3)
        #expect(problems.contains { $0.contains("ami-00000000000000000") })
        #expect(problems.contains { $0.contains("subnet-00000000000000000") })
        #expect(problems.contains { $0.contains("sg-00000000000000000") })
        #expect(!problems.contains { $0.contains(subnet.subnetId) })
    }

    @Test func preflightWithBadCredentialsSaysSo() async throws {
        let moto = try Moto()
        defer { moto.transport.shutdown() }
        let problems = await preflight(ec2: EC2Client(client: try moto.client(credentials: moto.wrongSecret)),
                                       imageId: "ami-1", subnetIds: [], securityGroupIds: [])
        #expect(problems.count == 1)
        #expect(problems[0].contains("AuthFailure") || problems[0].contains("SignatureDoesNotMatch"))
    }
}

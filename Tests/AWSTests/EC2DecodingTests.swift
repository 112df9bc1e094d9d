import Foundation
import Testing
@testable import AWS

/// EC2 XML bodies captured by Apache libcloud.
@Suite struct EC2DecodingTests {
    struct RunCase: Sendable, CustomStringConvertible {
        var file: String, instanceId: String, reservationId: String
        var clientToken: String? = nil, lifecycle: String? = nil, profileArn: String? = nil, subnetId: String? = nil
        var state: EC2Instance.State
        var description: String { file }
    }

    static let runCases: [RunCase] = [
        .init(file: "run_instances.xml", instanceId: "i-2ba64342", reservationId: "r-47a5402e", state: .pending),
        .init(file: "run_instances_idem.xml", instanceId: "i-2ba64342", reservationId: "r-47a5402e", clientToken: "testclienttoken", state: .pending),
        .init(file: "run_instances_spot.xml", instanceId: "i-2ba64344", reservationId: "r-47a5402e", lifecycle: "spot", state: .pending),
        .init(file: "run_instances_iam_profile.xml", instanceId: "i-2ba64343", reservationId: "r-47a5403e",
              profileArn: "arn:aws:iam::123456789012:instance-profile/ExampleInstanceProfile", state: .pending),
        .init(file: "run_instances_with_subnet_and_security_group.xml", instanceId: "i-11111111", reservationId: "r-11111111",
              subnetId: "subnet-11111111", state: .pending),
    ]

    @Test(arguments: runCases)
    func runInstances(_ c: RunCase) throws {
        let result = try EC2Decoding.runInstances(try Fixture.bytes("ec2/libcloud/" + c.file))
        #expect(result.reservationId == c.reservationId)
        let instance = try #require(result.instances.first)
        #expect(result.instances.count == 1)
        #expect(instance.instanceId == c.instanceId)
        #expect(instance.state == c.state)
        #expect(instance.clientToken == c.clientToken)
        #expect(instance.instanceLifecycle == c.lifecycle)
        #expect(instance.iamInstanceProfileArn == c.profileArn)
        #expect(instance.subnetId == c.subnetId)
        #expect(instance.launchTime != nil)
    }

    @Test func describeInstances() throws {
        let page = try EC2Decoding.describeInstances(try Fixture.bytes("ec2/libcloud/describe_instances.xml"))
        #expect(page.nextToken == nil)
        #expect(page.instances.map(\.instanceId).prefix(2) == ["i-4382922a", "i-8474834a"])
        let first = page.instances[0]
        #expect(first.state == .stopped)
        #expect(first.clientToken == "ifmxj1365530456668")
        #expect(first.instanceType == "m1.small")
        #expect(first.privateIpAddress == "10.211.11.211")
        #expect(first.launchTime == Date(timeIntervalSince1970: 1_385_985_491))
        #expect(page.instances[1].tags == ["Name": "Test Server 2", "Group": "VPC Test"])
        #expect(page.instances[1].clientToken == nil)
    }

    @Test func terminateInstancesAcceptsObsoleteShutdownState() throws {
        let changes = try EC2Decoding.terminateInstances(try Fixture.bytes("ec2/libcloud/terminate_instances.xml"))
        #expect(changes == [EC2InstanceStateChange(instanceId: "i-4382922a", previousState: .running, currentState: .shuttingDown)])
    }

    @Test func terminateInstancesCurrentState() throws {
        let xml = """
        <TerminateInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><instancesSet><item>\
        <instanceId>i-1</instanceId><currentState><code>48</code><name>terminated</name></currentState>\
        <previousState><code>272</code><name>running</name></previousState></item></instancesSet></TerminateInstancesResponse>
        """
        let changes = try EC2Decoding.terminateInstances(Array(xml.utf8))
        #expect(changes.first?.currentState == .terminated)
        #expect(changes.first?.previousState == .running) // 272 & 0xFF = 16
    }

    struct ErrorCase: Sendable, CustomStringConvertible {
        var file: String, code: AWSError.Code, requestId: String, message: String
        var description: String { file }
    }

    @Test(arguments: [
        ErrorCase(file: "run_instances_idem_mismatch.xml", code: .idempotentParameterMismatch, requestId: "5dabd361-d2e0-4f79-937d-4b2852a3b719",
                  message: "Arguments on this idempotent request are inconsistent with arguments used in previous request(s)."),
        ErrorCase(file: "describe_key_pairs_doesnt_exist.xml", code: "InvalidKeyPair.NotFound", requestId: "", message: ""),
    ])
    func errorBodies(_ c: ErrorCase) throws {
        let body = try Fixture.bytes("ec2/libcloud/" + c.file)
        let error = AWSErrorDecoding.xml(.init(status: 400, headers: [:], body: body))
        #expect(error.code == c.code)
        #expect(error.retryable == false)
        if !c.requestId.isEmpty { #expect(error.requestId == c.requestId) }
        if !c.message.isEmpty { #expect(error.message == c.message) }
    }

    @Test(arguments: ["", "<html><body>502 Bad Gateway</body></html", "<DescribeInstancesResponse><reservationSet><item>",
                      "<Other/>", "\u{0}\u{1}garbage", "<a>&bogus;</a>", "<!DOCTYPE x [<!ENTITY a 'b'>]><a/>"])
    func malformedBodiesAreTypedErrors(_ body: String) {
        #expect(throws: AWSError.self) { try EC2Decoding.describeInstances(Array(body.utf8)) }
        do { _ = try EC2Decoding.describeInstances(Array(body.utf8)) } catch { #expect(error.code == .malformedResponse) }
    }

    @Test func xmlReaderEntitiesCDATAAndNamespaces() throws {
        let root = try XMLReader.parse(Array("<?xml version=\"1.0\"?><!-- c --><e:a xmlns:e=\"u\"><b>x &amp; y &#x41;&#66;</b><c><![CDATA[<raw>]]></c></e:a>".utf8))
        #expect(root.name == "a")
        #expect(root.string("b") == "x & y AB")
        #expect(root.string("c") == "<raw>")
    }

    @Test func xmlReaderRejectsDeepNesting() {
        let deep = String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100)
        #expect(throws: XMLReaderError.self) { try XMLReader.parse(Array(deep.utf8)) }
    }
}

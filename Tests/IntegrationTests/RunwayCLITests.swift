import Foundation
import Testing

/// The operator CLI as a process against moto (signature checking on).
@Suite(.serialized) struct RunwayCLITests {
    struct Result {
        var status: Int32
        var output: String
    }

    static func runway(_ arguments: [String], extra: [String: String] = [:]) async throws -> Result {
        let moto = try TestEnvironment.value("RUNWAY_TEST_MOTO_URL")
        var env = ProcessInfo.processInfo.environment
        env.merge([
            "AWS_ACCESS_KEY_ID": try TestEnvironment.value("RUNWAY_TEST_AWS_ACCESS_KEY_ID"),
            "AWS_SECRET_ACCESS_KEY": try TestEnvironment.value("RUNWAY_TEST_AWS_SECRET_ACCESS_KEY"),
            "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": moto,
        ]) { _, new in new }
        env.merge(extra) { _, new in new }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("runway-cli-\(UUID().uuidString).txt").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let binary = TestEnvironment.binDirectory.appendingPathComponent("runway").path
        let quoted = ([binary] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let status = try await Command.run("/bin/bash", ["-c", "\(quoted) >'\(out)' 2>&1"], environment: env)
        return Result(status: status, output: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "")
    }

    /// Creates an image-backed subnet and security group in moto; returns (ami, subnet, sg).
    static func motoResources() async throws -> (String, String, String) {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("moto-res-\(UUID().uuidString).txt").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let script = """
            import boto3, os
            e = boto3.client("ec2", endpoint_url=os.environ["RUNWAY_TEST_MOTO_URL"], region_name="us-east-1",
                             aws_access_key_id=os.environ["RUNWAY_TEST_AWS_ACCESS_KEY_ID"],
                             aws_secret_access_key=os.environ["RUNWAY_TEST_AWS_SECRET_ACCESS_KEY"])
            ami = e.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
            vpc = e.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
            sub = e.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
            sg = e.create_security_group(GroupName="cli-check", Description="t", VpcId=vpc)["GroupId"]
            open("\(out)", "w").write(f"{ami} {sub} {sg}")
            """
        let status = try await Command.run("/usr/bin/env", ["python3", "-c", script])
        try #require(status == 0)
        let parts = try String(contentsOfFile: out, encoding: .utf8).split(separator: " ").map(String.init)
        try #require(parts.count == 3)
        return (parts[0], parts[1], parts[2])
    }

    @Test func awsWhoamiShowsTheIdentityAndFailsOnAWrongSecret() async throws {
        let ok = try await Self.runway(["aws", "whoami"])
        #expect(ok.status == 0, "\(ok.output)")
        #expect(ok.output.contains("arn:aws:iam::123456789012:user/runway-test"))
        let bad = try await Self.runway(["aws", "whoami"], extra: ["AWS_SECRET_ACCESS_KEY": "wrong-secret"])
        #expect(bad.status == 1)
        #expect(bad.output.contains("SignatureDoesNotMatch"))
        #expect(!bad.output.contains("wrong-secret"))
    }

    @Test func poolsCheckListsEveryMissingResource() async throws {
        let (ami, subnet, sg) = try await Self.motoResources()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pools-check-\(UUID().uuidString).yaml").path
        try """
            pools:
              - {name: good, host: ec2, os: ubuntu, labels: [a], orchestrator_url: "http://o",
                 ec2: {image_id: \(ami), instance_types: [t3.micro], subnet_ids: [\(subnet)], security_group_ids: [\(sg)]}}
              - {name: bad, host: ec2, os: ubuntu, labels: [b], orchestrator_url: "http://o",
                 ec2: {image_id: ami-12345678, instance_types: [t3.micro], subnet_ids: [subnet-nope], security_group_ids: [sg-nope]}}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try await Self.runway(["pools", "check", "--pools", path])
        #expect(result.status == 1)
        #expect(result.output.contains("good: ok"))
        #expect(result.output.contains("bad: image ami-12345678 does not exist"))
        #expect(result.output.contains("bad: subnet subnet-nope does not exist"))
        #expect(result.output.contains("bad: security group sg-nope does not exist"))
    }

    @Test func migrateAppliesThenIsANoOp() async throws {
        let database = try await TestEnvironment.freshDatabase()
        let first = try await Self.runway(["migrate"], extra: ["DATABASE_URL": database])
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("applied"))
        let again = try await Self.runway(["migrate"], extra: ["DATABASE_URL": database])
        #expect(again.output.contains("nothing to apply"))
        let bad = try await Self.runway(["migrate"], extra: ["DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"])
        #expect(bad.status == 1)

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("db-url-\(UUID().uuidString)").path
        try (database + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let fromFile = try await Self.runway(["migrate"], extra: ["DATABASE_URL": "", "DATABASE_URL_FILE": file])
        #expect(fromFile.status == 0 && fromFile.output.contains("nothing to apply"), "\(fromFile.output)")
        let both = try await Self.runway(["migrate"], extra: ["DATABASE_URL": database, "DATABASE_URL_FILE": file])
        #expect(both.status != 0 && both.output.contains("DATABASE_URL and DATABASE_URL_FILE are both set"), "\(both.output)")
    }
}

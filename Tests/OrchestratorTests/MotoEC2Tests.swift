import RunwayTestSupport
import AWS
import Foundation
import HTTP
import HTTPClient
import Logging
import RunwayKit
import Testing
@testable import OrchestratorCore

/// The moto server of `scripts/test-env.sh` (SigV4 checking on) behind the real AWS client.
struct MotoEC2 {
    let environment: MotoEnvironment
    let transport = HTTPClient()
    var url: String { environment.url }
    var credentials: AWSCredentials { environment.credentials }

    init() throws {
        environment = try MotoEnvironment()
    }

    func client(transport: (any HTTPTransport)? = nil) throws -> EC2Client {
        EC2Client(client: AWSClient(
            transport: transport ?? self.transport, credentials: StaticCredentialsProvider(credentials),
            configuration: try AWSConfiguration(region: "us-east-1", sharedEndpoint: url),
            retryPolicy: AWSRetryPolicy(maxAttempts: 1)))
    }

    /// A signed IAM Query call (instance profile setup).
    func iam(_ body: String) async throws -> ClientResponse {
        try await environment.query(service: "iam", body: body, transport: transport)
    }

    /// A pool over moto's own image, subnets and security group.
    func pool(os: PoolOS, name: String, instanceTypes: [String], spot: Bool, profile: String?) async throws -> Pool {
        let (image, subnet, group) = try await MotoNetwork.shared.lookup(try client(), os: os)
        var lines = [
            "pools:", "  - name: \(name)", "    host: ec2", "    os: \(os.rawValue)", "    labels: [moto]",
            "    orchestrator_url: http://127.0.0.1:1", "    ec2:", "      image_id: \(image.imageId)",
            "      instance_types: [\(instanceTypes.joined(separator: ", "))]", "      subnet_ids: [\(subnet.subnetId)]",
            "      security_group_ids: [\(group.groupId)]", "      spot: \(spot)",
        ]
        if let profile { lines.append("      instance_profile: \(profile)") }
        let yaml = lines.joined(separator: "\n")
        return try #require(try PoolsConfig.parse(yaml).pools.first)
    }
}

/// moto's default subnet and security group and one of its bundled images (moto's
/// `amis.json`: an Ubuntu and a Windows Server AMI), looked up once per test process.
actor MotoNetwork {
    static let shared = MotoNetwork()
    private var cached: [PoolOS: (EC2Image, EC2Subnet, EC2SecurityGroup)] = [:]
    static let images: [PoolOS: String] = [.ubuntu: "ami-1e749f67", .windows: "ami-03cf127a"]

    func lookup(_ ec2: EC2Client, os: PoolOS) async throws -> (EC2Image, EC2Subnet, EC2SecurityGroup) {
        if let hit = cached[os] { return hit }
        let image = try #require(try await ec2.describeImages([Self.images[os] ?? ""]).first)
        let subnet = try #require(try await ec2.describeSubnets([]).first)
        let group = try #require(try await ec2.describeSecurityGroups([]).first { $0.vpcId == subnet.vpcId })
        cached[os] = (image, subnet, group)
        return (image, subnet, group)
    }
}

/// Answers RunInstances for the listed instance types with `InsufficientInstanceCapacity`, as EC2
/// does when a type has no capacity; every other call goes to moto.
struct CapacityFaultTransport: HTTPTransport {
    let inner: any HTTPTransport
    let refusedTypes: Set<String>

    func execute(_ request: ClientRequest) async throws -> ClientResponse {
        let body = String(decoding: request.body, as: UTF8.self)
        if body.contains("Action=RunInstances"),
           let type = body.split(separator: "&").first(where: { $0.hasPrefix("InstanceType=") })?.dropFirst("InstanceType=".count),
           refusedTypes.contains(String(type).removingPercentEncoding ?? String(type)) {
            let xml = """
                <?xml version="1.0" encoding="UTF-8"?>
                <Response><Errors><Error><Code>InsufficientInstanceCapacity</Code><Message>We currently do not have \
                sufficient capacity in the Availability Zone you requested.</Message></Error></Errors>\
                <RequestID>fault-\(type)</RequestID></Response>
                """
            return ClientResponse(status: 500, headers: ["Content-Type": "text/xml"], body: Array(xml.utf8))
        }
        return try await inner.execute(request)
    }
}

@Suite(.serialized) struct MotoEC2Tests {
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    func service(_ moto: MotoEC2, pool: Pool, github: FakeGitHub = FakeGitHub(), transport: (any HTTPTransport)? = nil) throws -> RunnerService {
        let provider = EC2Provider(ec2: AWSEC2Adapter(client: try moto.client(transport: transport), logger: logger), budget: instantBudget(), logger: logger)
        return RunnerService(pools: [pool], providers: [.ec2: provider], github: github, logger: logger)
    }

    func launchRequest(_ pool: Pool, job: Int64) -> LaunchRequest {
        LaunchRequest(
            runnerName: runnerName(pool: pool.name, jobID: job, attempt: 1), pool: pool.name, jobID: job, labels: ["moto"],
            owner: "octo-org", repository: "octo-org/app", installationID: 77)
    }

    @Test func ubuntuLaunchReadsBackExactlyAtMoto() async throws {
        let moto = try MotoEC2()
        defer { moto.transport.shutdown() }
        let profile = "runway-runner-\(UUID().uuidString.prefix(8))"
        #expect(try await moto.iam("Action=CreateInstanceProfile&Version=2010-05-08&InstanceProfileName=\(profile)").status == 200)
        let pool = try await moto.pool(os: .ubuntu, name: "moto-ubuntu", instanceTypes: ["c7i.xlarge"], spot: true, profile: profile)
        let job = Int64.random(in: 1...Int64(Int32.max))
        let answer = try await service(moto, pool: pool).launch(launchRequest(pool, job: job))

        let ec2 = try moto.client()
        let found = try await ec2.describeAllInstances(filters: [.tag("runway:runner", answer.runnerName)])
        let instance = try #require(found.first)
        #expect(found.count == 1)
        #expect(instance.instanceId == answer.providerID)
        let settings = try #require(pool.ec2)
        #expect(instance.imageId == settings.imageID)
        #expect(instance.instanceType == "c7i.xlarge")
        #expect(instance.subnetId == settings.subnetIDs.first)
        #expect(instance.securityGroupIds == settings.securityGroupIDs)
        #expect(instance.instanceLifecycle == "spot")
        #expect(instance.iamInstanceProfileArn?.hasSuffix("instance-profile/\(profile)") == true)
        #expect(instance.metadataHttpTokens == "required")
        #expect(instance.metadataHopLimit == 1)
        #expect(instance.clientToken == EC2Provider.clientToken(runnerName: answer.runnerName, combination: 0))
        #expect(instance.tags == [
            "Name": answer.runnerName, "runway:runner": answer.runnerName, "runway:pool": "moto-ubuntu",
            "runway:job": String(job), "runway:owner": "octo-org", "runway:repository": "app", "runway:installation": "77",
            "runway:scope": "org",
        ])
        #expect(try await ec2.describeInstanceAttribute(answer.providerID, attribute: "instanceInitiatedShutdownBehavior") == "terminate")
        let userData = try #require(try await ec2.describeInstanceAttribute(answer.providerID, attribute: "userData"))
        let script = String(decoding: try #require(Data(base64Encoded: userData)), as: UTF8.self)
        #expect(script == EC2UserData.ubuntu(settings: settings, jitConfig: JITConfig.fake(101)))
        #expect(script.contains("runuser -u runner -- ./run.sh"))
    }

    @Test func windowsUserDataReadsBackAsPowerShell() async throws {
        let moto = try MotoEC2()
        defer { moto.transport.shutdown() }
        let pool = try await moto.pool(os: .windows, name: "moto-windows", instanceTypes: ["m7i.large"], spot: false, profile: nil)
        let answer = try await service(moto, pool: pool).launch(launchRequest(pool, job: Int64.random(in: 1...Int64(Int32.max))))
        let ec2 = try moto.client()
        let instance = try #require(try await ec2.describeAllInstances(filters: [.tag("runway:runner", answer.runnerName)]).first)
        #expect(instance.instanceLifecycle == nil)
        let userData = try #require(try await ec2.describeInstanceAttribute(answer.providerID, attribute: "userData"))
        let script = String(decoding: try #require(Data(base64Encoded: userData)), as: UTF8.self)
        #expect(script.hasPrefix("<powershell>\r\n"))
        #expect(script.contains("  $env:ACTIONS_RUNNER_INPUT_JITCONFIG = '\(JITConfig.fake(101))'\r\n  & (Join-Path $RunnerDir 'run.cmd')"))
        #expect(script.hasSuffix("  shutdown.exe /s /t 0 /f\r\n}\r\n</powershell>\r\n"))
    }

    @Test func tenConcurrentLaunchesAndARestartMakeOneInstance() async throws {
        let moto = try MotoEC2()
        defer { moto.transport.shutdown() }
        let pool = try await moto.pool(os: .ubuntu, name: "moto-idem", instanceTypes: ["t3.micro"], spot: false, profile: nil)
        let request = launchRequest(pool, job: Int64.random(in: 1...Int64(Int32.max)))
        let github = FakeGitHub()
        let first = try service(moto, pool: pool, github: github)
        let answers = try await withThrowingTaskGroup(of: LaunchAnswer.self) { group in
            for _ in 0..<10 { group.addTask { try await first.launch(request) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(answers.map(\.providerID)).count == 1)
        // A new process (the first crashed after launching) asks again: moto ignores ClientToken,
        // so only the tag lookup prevents a second instance.
        let again = try await service(moto, pool: pool, github: github).launch(request)
        #expect(again.providerID == answers[0].providerID)
        let instances = try await moto.client().describeAllInstances(filters: [.tag("runway:runner", request.runnerName)])
        #expect(instances.count == 1)
        #expect(github.generatedCount == 1)
    }

    @Test func capacityFallsBackToTheNextTypeAndThenOnDemand() async throws {
        let moto = try MotoEC2()
        defer { moto.transport.shutdown() }
        let pool = try await moto.pool(os: .ubuntu, name: "moto-capacity", instanceTypes: ["c7i.xlarge", "m7i.xlarge"], spot: true, profile: nil)
        let fault = CapacityFaultTransport(inner: moto.transport, refusedTypes: ["c7i.xlarge"])
        let answer = try await service(moto, pool: pool, transport: fault).launch(launchRequest(pool, job: Int64.random(in: 1...Int64(Int32.max))))
        #expect(answer.detail["instance_type"] == "m7i.xlarge")
        #expect(answer.detail["market"] == "spot")
        let instance = try #require(try await moto.client().describeAllInstances(filters: [.tag("runway:runner", answer.runnerName)]).first)
        #expect(instance.instanceType == "m7i.xlarge")
        #expect(instance.instanceLifecycle == "spot")
    }

    @Test func tearDownTerminatesAndListingForgetsTheRunner() async throws {
        let moto = try MotoEC2()
        defer { moto.transport.shutdown() }
        let pool = try await moto.pool(os: .ubuntu, name: "moto-teardown", instanceTypes: ["t3.micro"], spot: false, profile: nil)
        let github = FakeGitHub()
        let service = try service(moto, pool: pool, github: github)
        let answer = try await service.launch(launchRequest(pool, job: Int64.random(in: 1...Int64(Int32.max))))
        #expect(try await service.list(pool: pool.name).map(\.runnerName).contains(answer.runnerName))

        let result = try await service.tearDown(runnerName: answer.runnerName, jobFinished: false)
        #expect(result == .init(removedFromProvider: true, removedRegistration: true))
        let state = try #require(try await moto.client().describeAllInstances(filters: [.tag("runway:runner", answer.runnerName)]).first?.state)
        #expect([.shuttingDown, .terminated].contains(state))
        #expect(try await service.tearDown(runnerName: answer.runnerName, jobFinished: true).removedRegistration == false)
        #expect(try await service.tearDown(runnerName: runnerName(pool: pool.name, jobID: 1, attempt: 9), jobFinished: false)
            == .init(removedFromProvider: false, removedRegistration: false))
    }
}

import AWS
import Foundation
import HTTP
import HTTPClient
import Logging
import Postgres
import Testing

/// The three services as separate processes (the launch pieces `make demo` uses: port 0, the
/// GitHub stand-in's own App key, moto of `scripts/test-env.sh` with signature checking on):
/// a signed `queued` webhook launches an EC2 instance, the completion tears it down. Every
/// assertion reads moto, the database or the GitHub stand-in.
@Suite(.serialized) struct EndToEndTests {
    @Test func queuedJobLaunchesAnInstanceAndCompletionTerminatesIt() async throws {
        let motoURL = try TestEnvironment.value("RUNWAY_TEST_MOTO_URL")
        let credentials = AWSCredentials(
            accessKeyId: try TestEnvironment.value("RUNWAY_TEST_AWS_ACCESS_KEY_ID"),
            secretAccessKey: try TestEnvironment.value("RUNWAY_TEST_AWS_SECRET_ACCESS_KEY"))
        let client = HTTPClient()
        defer { client.shutdown() }
        let ec2 = EC2Client(client: AWSClient(
            transport: client, credentials: StaticCredentialsProvider(credentials),
            configuration: try AWSConfiguration(region: "us-east-1", sharedEndpoint: motoURL)))
        let subnet = try #require(try await ec2.describeSubnets([]).first)
        let group = try #require(try await ec2.describeSecurityGroups([]).first { $0.vpcId == subnet.vpcId })

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("runway-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let keyPath = dir.appendingPathComponent("app.pem").path
        let github = try await ServiceProcess(standIn: "github_standin.py", arguments: ["--app-private-key-out", keyPath, "--app-id", "4242"])
        let database = try await TestEnvironment.freshDatabase()
        let token = "e2e-internal-token-0123456789"
        func pools(_ orchestrator: String) throws -> String {
            let path = dir.appendingPathComponent("pools-\(UUID().uuidString).yaml").path
            try """
                pools:
                  - name: e2e-ubuntu
                    host: ec2
                    os: ubuntu
                    labels: [e2e]
                    orchestrator_url: \(orchestrator)
                    launch_rate: 10
                    ec2: {image_id: ami-1e749f67, instance_types: [t3.micro], subnet_ids: [\(subnet.subnetId)], security_group_ids: [\(group.groupId)], spot: false}
                """.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let orchestrator = try await ServiceProcess("orchestrator", environment: [
            "LOG_FORMAT": "json", "LOG_LEVEL": "debug", "RUNWAY_POOLS": try pools("http://127.0.0.1:1"), "RUNWAY_INTERNAL_TOKEN": token, "GITHUB_APP_ID": "4242",
            "GITHUB_APP_PRIVATE_KEY_FILE": keyPath, "GITHUB_API_URL": github.url, "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": motoURL, "AWS_ACCESS_KEY_ID": credentials.accessKeyId, "AWS_SECRET_ACCESS_KEY": credentials.secretAccessKey,
        ])
        let poolsPath = try pools(orchestrator.url)
        let publisher = try await ServiceProcess("publisher", environment: [
            "LOG_FORMAT": "json", "DATABASE_URL": database, "RUNWAY_POOLS": poolsPath, "RUNWAY_INTERNAL_TOKEN": token, "RUNWAY_MIGRATE": "1",
            "PUBLISHER_POLL_INTERVAL": "1s", "PUBLISHER_TEARDOWN_INTERVAL": "1s",
        ])
        let producer = try await ServiceProcess("producer", environment: [
            "DATABASE_URL": database, "RUNWAY_POOLS": poolsPath, "RUNWAY_INTERNAL_TOKEN": token, "RUNWAY_MIGRATE": "1",
            "PUBLISHER_URL": publisher.url, "GITHUB_WEBHOOK_SECRET": Webhooks.secret,
        ])

        let services = [producer, publisher, orchestrator]
        let job = Int64.random(in: 100_000...Int64(Int32.max))
        let labels = ["self-hosted", "linux", "e2e"]
        let queued = try await Webhooks.send(Webhooks.payload(jobID: job, action: "queued", labels: labels), to: producer.url, client: client)
        #expect(queued.status == 202)

        let runner = try await eventually("job \(job) launched in the database", services) {
            try await row(database, "SELECT dispatch_state AS v FROM jobs WHERE id = \(job)") == "launched"
                ? try await row(database, "SELECT name AS v FROM runners WHERE launched_for_job = \(job)") : nil
        }
        #expect(runner.hasPrefix("runway-e2e-ubuntu-\(job)-"), "runner names follow runway-<pool>-<job>-<attempt>")
        let launched = try await eventually("an instance named \(runner) running in moto", services) {
            try await ec2.describeAllInstances(filters: [EC2Filter("tag:Name", [runner])]).first { $0.state == .pending || $0.state == .running }
        }
        #expect(launched.imageId == "ami-1e749f67")
        #expect(try await standInRunners(github.url, client: client).contains(runner), "the JIT runner is registered at GitHub")
        try await expectOneTrace(from: queued, job: job, runner: runner, database: database, github: github.url, client: client,
                                 publisher: publisher, orchestrator: orchestrator)

        for action in ["in_progress", "completed"] {
            let body = Webhooks.payload(jobID: job, action: action, labels: labels, runnerName: runner)
            #expect(try await Webhooks.send(body, to: producer.url, client: client).status == 202)
        }
        let gone = try await eventually("instance \(launched.instanceId) terminated", services) {
            try await ec2.describeAllInstances(filters: [EC2Filter("instance-id", [launched.instanceId])])
                .first { $0.state == .terminated || $0.state == .shuttingDown }
        }
        #expect(gone.instanceId == launched.instanceId)
        let all = try await ec2.describeAllInstances(filters: [EC2Filter("tag:Name", [runner])])
        #expect(all.count == 1, "launched exactly once")
        _ = try await eventually("job \(job) done", services) {
            try await row(database, "SELECT dispatch_state AS v FROM jobs WHERE id = \(job)") == "done" ? true : nil
        }
        _ = try await eventually("runner \(runner) deregistered at GitHub", services) {
            try await standInRunners(github.url, client: client).contains(runner) ? nil : true
        }
        for service in services { #expect(await service.stop() == 0, "\(service.name) exits cleanly") }
        await github.stop()
    }

    /// The webhook's trace reaches GitHub's JIT call (the stand-in records its `traceparent`) and
    /// the RunInstances call (the Orchestrator's JSON log), through the Publisher's dispatch.
    private func expectOneTrace(
        from queued: ClientResponse, job: Int64, runner: String, database: String, github: String, client: HTTPClient,
        publisher: ServiceProcess, orchestrator: ServiceProcess
    ) async throws {
        let webhook = try #require(queued.headers["traceparent"].flatMap(TraceContext.init(traceparent:)), "the 202 names its trace")
        let stored = try await row(database, "SELECT traceparent AS v FROM jobs WHERE id = \(job)")
        #expect(stored == webhook.traceparent, "the job keeps the webhook's span as the dispatch's parent")
        let answer = try await client.execute(ClientRequest(url: github + "/_standin/state"))
        let state = try #require(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any])
        let jit = (state["jit_configs"] as? [[String: Any]] ?? []).first { $0["name"] as? String == runner }
        let jitTrace = (jit?["traceparent"] as? String).flatMap(TraceContext.init(traceparent:))
        #expect(jitTrace?.traceID == webhook.traceID, "the JIT config request continues the webhook's trace")
        let lines = orchestrator.logs.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String]
        }
        #expect(lines.contains { $0["aws.operation"] == "RunInstances" && $0["trace.id"] == webhook.traceID },
                "the RunInstances call is logged in the webhook's trace")
        #expect(publisher.logs.contains("\"trace.id\":\"\(webhook.traceID)\""), "the Publisher's launch is logged in the webhook's trace")
    }

    /// Polls `probe` every 200 ms for up to 30 s until it returns a value.
    private func eventually<T>(_ what: String, _ services: [ServiceProcess], _ probe: () async throws -> T?) async throws -> T {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let value = try await probe() { return value }
            try await Task.sleep(for: .milliseconds(200))
        }
        let logs = (services.map { "--- \($0.name)\n\($0.logs.suffix(2000))" }).joined(separator: "\n")
        Issue.record("timed out waiting for \(what)\n\(logs)")
        throw ServiceStartError(message: "timed out waiting for \(what)")
    }

    private func row(_ database: String, _ sql: String) async throws -> String? {
        let pool = PostgresPool(configuration: PostgresConfiguration(connectionString: database, poolSize: 1), logger: Logger(label: "t"))
        defer { pool.shutdown() }
        let rows = try await pool.query(sql)
        return try rows.single().decode("v")
    }

    /// Names of the runners registered in the GitHub stand-in, over every scope.
    private func standInRunners(_ base: String, client: HTTPClient) async throws -> Set<String> {
        let answer = try await client.execute(ClientRequest(url: base + "/_standin/state"))
        let state = try #require(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any])
        let scopes = state["runners"] as? [String: [[String: Any]]] ?? [:]
        return Set(scopes.values.flatMap { $0.compactMap { $0["name"] as? String } })
    }
}

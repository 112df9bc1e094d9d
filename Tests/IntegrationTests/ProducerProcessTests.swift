import Foundation
import HTTP
import HTTPClient
import Logging
import Postgres
import Testing

/// The Producer as a real process against the real Postgres.
@Suite(.serialized) struct ProducerProcessTests {
    static let pools = """
        pools:
          - {name: k8s, host: eks, os: ubuntu, labels: [k8s], orchestrator_url: "http://127.0.0.1:9", eks: {cluster: c}}
        """

    static func poolsFile() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pools-\(UUID().uuidString).yaml").path
        try pools.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func startProducer(database: String) async throws -> ServiceProcess {
        try await ServiceProcess("producer", environment: [
            "DATABASE_URL": database, "GITHUB_WEBHOOK_SECRET": "other-secret," + Webhooks.secret,
            "RUNWAY_POOLS": try poolsFile(), "RUNWAY_MIGRATE": "1",
        ])
    }

    static func count(_ database: String, _ sql: String) async throws -> Int {
        let pool = PostgresPool(configuration: PostgresConfiguration(connectionString: database, poolSize: 1), logger: Logger(label: "t"))
        defer { pool.shutdown() }
        let rows = try await pool.query(sql)
        let n: Int64 = try rows.single().decode("n")
        return Int(n)
    }

    @Test func sigkillRightAfterAcknowledgementLosesNothing() async throws {
        let database = try await TestEnvironment.freshDatabase()
        let producer = try await Self.startProducer(database: database)
        let client = HTTPClient()
        defer { client.shutdown() }
        var acknowledged: [Int64] = []
        try await withThrowingTaskGroup(of: (Int64, Int).self) { group in
            for id in Int64(1)...60 {
                group.addTask {
                    let body = Webhooks.payload(jobID: id, action: "queued", labels: ["self-hosted", "k8s"])
                    return (id, try await Webhooks.send(body, to: producer.url, client: client).status)
                }
            }
            for try await (id, status) in group where status == 202 { acknowledged.append(id) }
        }
        let status = await producer.stop(signal: SIGKILL)
        #expect(status != 0)
        #expect(acknowledged.count == 60)
        let stored = try await Self.count(database, "SELECT count(*) AS n FROM jobs WHERE dispatch_state = 'pending' AND pool = 'k8s'")
        #expect(stored == acknowledged.count, "every acknowledged delivery is in the table")
    }

    @Test func postgresOutageAnswers503AndRecoversWithoutRestart() async throws {
        let database = try await TestEnvironment.freshDatabase()
        let producer = try await Self.startProducer(database: database)
        let client = HTTPClient()
        defer { client.shutdown() }
        let body = Webhooks.payload(jobID: 5001, action: "queued", labels: ["self-hosted", "k8s"])
        #expect(try await Webhooks.send(body, to: producer.url, client: client).status == 202)

        try await TestEnvironment.postgres("stop")
        let during = Webhooks.payload(jobID: 5002, action: "queued", labels: ["self-hosted", "k8s"])
        let refused = try await Webhooks.send(during, to: producer.url, delivery: "outage-1", client: client)
        let ready = try await client.execute(ClientRequest(url: producer.url + "/readyz"))
        try await TestEnvironment.postgres("start")
        #expect(refused.status == 503)
        #expect(ready.status == 503)
        #expect(ready.text.contains("postgres"))

        // GitHub's redelivery reuses the GUID; the Producer heals without a restart.
        var accepted = 0
        for _ in 0..<50 {
            accepted = try await Webhooks.send(during, to: producer.url, delivery: "outage-1", client: client).status
            if accepted == 202 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(accepted == 202)
        #expect(try await Self.count(database, "SELECT count(*) AS n FROM jobs") == 2)
        #expect(await producer.stop() == 0)
    }

    @Test func commonEndpointsAndCleanExit() async throws {
        let database = try await TestEnvironment.freshDatabase()
        let producer = try await Self.startProducer(database: database)
        let client = HTTPClient()
        defer { client.shutdown() }
        #expect(try await client.execute(ClientRequest(url: producer.url + "/healthz")).status == 200)
        #expect(try await client.execute(ClientRequest(url: producer.url + "/readyz")).status == 200)
        let metrics = try await client.execute(ClientRequest(url: producer.url + "/metrics"))
        #expect(metrics.text.contains("process_resident_memory_bytes"))
        #expect(await producer.stop() == 0)
    }

    @Test func badConfigurationStopsWithEveryProblemListed() async throws {
        await #expect(throws: ServiceStartError.self) {
            _ = try await ServiceProcess("producer", environment: ["HTTP_PORT": "70000", "RUNWAY_POOLS": "/nonexistent.yaml"])
        }
        do {
            _ = try await ServiceProcess("producer", environment: ["HTTP_PORT": "70000", "RUNWAY_POOLS": "/nonexistent.yaml"])
        } catch let error as ServiceStartError {
            #expect(error.message.contains("DATABASE_URL"))
            #expect(error.message.contains("GITHUB_WEBHOOK_SECRET"))
            #expect(error.message.contains("HTTP_PORT must be between"))
            #expect(error.message.contains("cannot read /nonexistent.yaml"))
        }
    }
}

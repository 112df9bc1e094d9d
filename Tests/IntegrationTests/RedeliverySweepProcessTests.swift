import Foundation
import HTTP
import HTTPClient
import Testing

/// The Producer's missed-delivery recovery against the GitHub API stand-in: a delivery GitHub
/// recorded as failed is redelivered and lands in the jobs table; a successful one is left alone.
@Suite(.serialized) struct RedeliverySweepProcessTests {
    @Test func failedDeliveryIsRedeliveredAndRecorded() async throws {
        let key = FileManager.default.temporaryDirectory.appendingPathComponent("app-\(UUID().uuidString).pem").path
        defer { try? FileManager.default.removeItem(atPath: key) }
        let github = try await ServiceProcess(standIn: "github_standin.py", arguments: ["--app-private-key-out", key, "--app-id", "4242"])
        let database = try await TestEnvironment.freshDatabase()
        let producer = try await ServiceProcess("producer", environment: [
            "DATABASE_URL": database, "GITHUB_WEBHOOK_SECRET": Webhooks.secret, "RUNWAY_POOLS": try ProducerProcessTests.poolsFile(),
            "RUNWAY_MIGRATE": "1", "GITHUB_APP_ID": "4242", "GITHUB_APP_PRIVATE_KEY_FILE": key, "GITHUB_API_URL": github.url,
            "RUNWAY_REDELIVERY_INTERVAL": "500ms",
        ])
        let client = HTTPClient()
        defer { client.shutdown() }
        func control(_ path: String, _ body: String) async throws -> ClientResponse {
            try await client.execute(ClientRequest(method: "POST", url: github.url + path, headers: ["Content-Type": "application/json"],
                                                   body: Array(body.utf8)))
        }
        #expect(try await control("/_standin/config", #"{"webhook_url": "\#(producer.url)/webhook", "webhook_secret": "\#(Webhooks.secret)"}"#).status == 200)
        let missed = String(decoding: Webhooks.payload(jobID: 7001, action: "queued", labels: ["self-hosted", "k8s"]), as: UTF8.self)
        let fine = String(decoding: Webhooks.payload(jobID: 7002, action: "queued", labels: ["self-hosted", "k8s"]), as: UTF8.self)
        let now = ISO8601DateFormatter().string(from: Date())
        #expect(try await control("/_standin/deliveries", """
            {"guid": "missed-1", "event": "workflow_job", "action": "queued", "status_code": 502, "status": "failed",
             "installation_id": 1, "repository_id": 1, "delivered_at": "\(now)", "payload": \(missed)}
            """).status < 300)
        #expect(try await control("/_standin/deliveries", """
            {"guid": "fine-1", "event": "workflow_job", "action": "queued", "status_code": 202, "status": "OK",
             "installation_id": 1, "repository_id": 1, "delivered_at": "\(now)", "payload": \(fine)}
            """).status < 300)

        var stored = 0
        for _ in 0..<100 {
            stored = try await ProducerProcessTests.count(database, "SELECT count(*) AS n FROM jobs WHERE id = 7001")
            if stored == 1 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(stored == 1, "the missed delivery was redelivered and recorded\n\(producer.logs.suffix(2000))")
        #expect(try await ProducerProcessTests.count(database, "SELECT count(*) AS n FROM jobs WHERE id = 7002") == 0)
        let state = try await client.execute(ClientRequest(url: github.url + "/_standin/state"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(state.body)) as? [String: Any])
        let redeliveries = try #require(json["redeliveries"] as? [Any])
        #expect(redeliveries.count == 1)
        // The stand-in re-sends the payload before it answers the redelivery request, so the job can
        // be stored a moment before the Producer counts the request.
        var counted = false
        for _ in 0..<50 where !counted {
            counted = try await client.execute(ClientRequest(url: producer.url + "/metrics")).text
                .contains("runway_redeliveries_requested_total 1")
            if !counted { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(counted)
        #expect(await producer.stop() == 0)
        await github.stop(signal: SIGKILL)
    }
}

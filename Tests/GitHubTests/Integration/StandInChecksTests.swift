import Foundation
import GitHub
import HTTP
import HTTPClient
import Testing

/// The stand-in itself refuses what GitHub refuses (so the client tests above mean something).
extension StandInTests {
    @Test func standInRefusesWhatGitHubRefuses() async throws {
        let standIn = try await StandIn.start()
        defer { standIn.stop() }
        let app = try await standIn.app()
        let token = try await app.installationToken(for: 1).value
        let url = standIn.apiURL + "/orgs/octo-org/actions/runners"
        func call(_ url: String, _ headers: HTTPHeaders, method: String = "GET", body: String = "") async throws -> Int {
            try await standIn.http.execute(ClientRequest(method: method, url: url, headers: headers, body: Array(body.utf8))).status
        }
        let good: HTTPHeaders = ["User-Agent": "t", "Authorization": "Bearer " + token, "X-GitHub-Api-Version": "2022-11-28"]
        #expect(try await call(url, good) == 200)
        var noAgent = good
        noAgent.remove("User-Agent")
        // libcurl adds its own User-Agent unless told otherwise; an empty value removes it.
        noAgent.set("User-Agent", "")
        #expect(try await call(url, noAgent) == 403)
        var badVersion = good
        badVersion.set("X-GitHub-Api-Version", "1999-01-01")
        #expect(try await call(url, badVersion) == 400)
        #expect(try await call(url, ["User-Agent": "t"]) == 401)
        #expect(try await call(url, ["User-Agent": "t", "Authorization": "Bearer ghs_made_up"]) == 401)
        // An installation token is not a JWT.
        #expect(try await call(standIn.apiURL + "/app/hook/deliveries", good) == 401)
        // generate-jitconfig validates its body like GitHub (422).
        let jit = url + "/generate-jitconfig"
        #expect(try await call(jit, good, method: "POST", body: #"{"name":"x","labels":["a"]}"#) == 422)
        #expect(try await call(jit, good, method: "POST", body: #"{"name":"x","runner_group_id":1,"labels":[]}"#) == 422)
        #expect(try await call(jit, good, method: "POST", body: #"{"name":"x","runner_group_id":1,"labels":["a"]}"#) == 201)
        #expect(try await call(jit, good, method: "POST", body: #"{"name":"x","runner_group_id":1,"labels":["a"]}"#) == 409)
    }
}

extension StandInTests {
    /// The stand-in sends signed deliveries (demo, Producer tests) and redelivers with the same GUID.
    @Test func standInSendsSignedDeliveriesAndRedeliveries() async throws {
        let standIn = try await StandIn.start()
        defer { standIn.stop() }
        try await standIn.control("POST", "/_standin/config", ["webhook_url": standIn.apiURL + "/_standin/sink", "webhook_secret": "s3cret"])
        let payload = try JSONSerialization.jsonObject(with: Fixtures.data("webhooks/workflow_job/queued.payload.json"))
        let sent = try #require(try await standIn.control("POST", "/_standin/deliver", ["event": "workflow_job", "payload": payload, "guid": "g-1"]) as? [String: Any])
        #expect(sent["status_code"] as? Int == 202 && sent["action"] as? String == "queued")

        let app = try await standIn.app()
        let delivery = try #require(try await app.hookDeliveries().deliveries.first)
        #expect(delivery.guid == "g-1" && delivery.succeeded && delivery.installationID != nil)
        try await app.redeliverHookDelivery(id: delivery.id)
        var received: [[String: Any]] = []
        for _ in 0..<50 where received.count < 2 {
            received = try await standIn.state()["received"] as? [[String: Any]] ?? []
            if received.count < 2 { try await Task.sleep(for: .milliseconds(100)) }
        }
        try #require(received.count == 2)
        let verifier = WebhookVerifier(secrets: ["s3cret"])
        for request in received {
            // Header names are case-insensitive (urllib sends `X-github-delivery`).
            let raw = try #require(request["headers"] as? [String: String])
            let headers = Dictionary(raw.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
            let body = Array(try #require(request["body"] as? String).utf8)
            try verifier.verify(body: body, signature256: headers["x-hub-signature-256"])
            #expect(headers["x-github-delivery"] == "g-1" && headers["x-github-event"] == "workflow_job")
            #expect(try WorkflowJobEvent.decode(body).action == .queued)
        }
        let redelivered = try #require(try await app.hookDeliveries().deliveries.first)
        #expect(redelivered.redelivery && redelivered.guid == "g-1" && redelivered.id != delivery.id)
    }
}

extension StandInTests {
    /// For the demo: the stand-in can create the App key itself; the client signs with it.
    @Test func standInGeneratesTheAppKey() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("runway-standin-\(UUID().uuidString).pem").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let standIn = try await StandIn.start(privateKeyOut: path)
        defer { standIn.stop() }
        let credentials = try GitHubAppCredentials.load(environment: [
            "GITHUB_APP_ID": "4242", "GITHUB_APP_PRIVATE_KEY_FILE": path, "GITHUB_API_URL": standIn.apiURL,
        ])
        let app = GitHubApp(credentials: credentials, transport: standIn.http)
        #expect(try await app.installation(owner: "octo-org").id == 1)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    /// A budget that really runs out: the stand-in answers 403 with remaining 0 and the client
    /// hands the hour-long wait back to the caller, then holds further calls locally.
    @Test func exhaustedPrimaryBudgetIsReturnedAndRespected() async throws {
        let standIn = try await StandIn.start()
        defer { standIn.stop() }
        try await standIn.control("POST", "/_standin/config", ["rate_limit": 3])
        let app = try await standIn.app()
        for _ in 0..<3 { _ = try await app.runners(scope: .organization("octo-org"), installationID: 1) }
        #expect(await app.rateLimitSnapshots().first { $0.scope == "installation:1" }?.remaining == 0)
        await #expect { try await app.runners(scope: .organization("octo-org"), installationID: 1) } throws: { error in
            guard let e = error as? GitHubError, let wait = e.retryAfter else { return false }
            return e.code == .rateLimited && wait > .seconds(3000) && wait <= .seconds(3602)
        }
        let before = (try await standIn.state()["requests"] as? [Any])?.count
        await #expect { try await app.runners(scope: .organization("octo-org"), installationID: 1) } throws: {
            ($0 as? GitHubError)?.code == .rateLimited
        }
        #expect((try await standIn.state()["requests"] as? [Any])?.count == before)
        // What the client avoided sending: GitHub-like 403 with remaining 0.
        let token = try await app.installationToken(for: 1).value
        let raw = try await standIn.http.execute(ClientRequest(url: standIn.apiURL + "/orgs/octo-org/actions/runners",
                                                               headers: ["User-Agent": "t", "Authorization": "Bearer " + token]))
        #expect(raw.status == 403 && raw.headers["x-ratelimit-remaining"] == "0")
        // The App JWT has its own budget.
        #expect(try await app.installation(owner: "octo-org").id == 1)
    }
}

import Foundation
import GitHub
import HTTP
import JobStore
import Logging
import ProducerCore
import RunwayKit
import Testing

@Suite struct WebhookHandlerTests {
    static let secret = "It's a Secret to Everybody"
    let store = FakeStore()
    let transport = RecordingTransport()
    let metrics = ProducerMetrics(MetricsRegistry())
    let handler: WebhookHandler
    let notifier: PublisherNotifier

    init() {
        notifier = PublisherNotifier(publisherURL: "http://127.0.0.1:9", token: "internal-token-0123456789", transport: transport,
                                     metrics: metrics, logger: Logger(label: "test"))
        handler = WebhookHandler(verifier: WebhookVerifier(secrets: ["old-secret", Self.secret]), store: store,
                                 pools: Fixtures.pools, notifier: notifier, metrics: metrics, logger: Logger(label: "test"))
    }

    func delivery(_ body: [UInt8], event: String = "workflow_job", id: String = UUID().uuidString, secret: String? = secret,
                  contentType: String = "application/json") -> HTTPRequest {
        var headers: HTTPHeaders = ["Content-Type": contentType, "X-GitHub-Event": event, "X-GitHub-Delivery": id]
        if let secret { headers.add("X-Hub-Signature-256", WebhookVerifier.signature(body: body, secret: secret)) }
        return HTTPRequest(method: "POST", target: "/webhook", headers: headers, body: body)
    }

    static let payloads = [
        "queued.payload.json", "queued.with-deployment.payload.json", "waiting.payload.json", "in_progress.payload.json",
        "in_progress.with-queued-steps.payload.json", "completed.success.with-organization.payload.json",
        "completed.failure.with-organization.payload.json",
    ]

    @Test(arguments: payloads)
    func everyFixtureIsRecordedWithEitherSecret(_ name: String) async throws {
        let body = try Fixtures.data("workflow_job/\(name)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        let job = try #require(json["workflow_job"] as? [String: Any])
        for secret in [Self.secret, "old-secret"] {
            let response = await handler.handle(delivery(body, secret: secret))
            #expect(response.status == 202)
            let ack = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
            #expect((ack["job_id"] as? NSNumber)?.int64Value == (job["id"] as? NSNumber)?.int64Value)
        }
        let events = store.events
        #expect(events.count == 2)
        let event = try #require(events.first)
        #expect(event.jobID == (job["id"] as? NSNumber)?.int64Value)
        #expect(event.labels == job["labels"] as? [String])
        #expect(event.action == json["action"] as? String)
        // GitHub's status, not the action: the deployment fixture is action queued with status waiting.
        #expect(event.status.rawValue == job["status"] as? String)
        #expect(event.pool != nil)
        #expect(event.repository == (json["repository"] as? [String: Any])?["full_name"] as? String)
    }

    @Test func signatureVectorIsAccepted() async throws {
        let vector = try JSONSerialization.jsonObject(with: Data(try Fixtures.data("signature-test-vector.json"))) as? [String: Any]
        let payload = try #require(vector?["payload"] as? String)
        let expected = try #require(vector?["x_hub_signature_256"] as? String)
        #expect(WebhookVerifier.signature(body: Array(payload.utf8), secret: Self.secret) == expected)
        // The vector's own signature is accepted by the verifier the handler uses.
        try WebhookVerifier(secrets: [Self.secret]).verify(body: Array(payload.utf8), signature256: expected)
    }

    @Test func missingWrongAndSHA1OnlySignaturesAre401AndStoreNothing() async throws {
        let body = try Fixtures.data("workflow_job/waiting.payload.json")
        #expect(await handler.handle(delivery(body, secret: nil)).status == 401)
        #expect(await handler.handle(delivery(body, secret: "wrong")).status == 401)
        var sha1 = delivery(body, secret: nil)
        sha1.headers.add("X-Hub-Signature", "sha1=0123456789abcdef0123456789abcdef01234567")
        let response = await handler.handle(sha1)
        #expect(response.status == 401)
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"error":{"code":"unauthorized","message":"unauthorized"}}"#)
        var tampered = delivery(body)
        tampered.body[10] ^= 1
        #expect(await handler.handle(tampered).status == 401)
        #expect(store.events.isEmpty)
        #expect(metrics.registry.render().contains("runway_webhook_signature_failures_total 4"))
    }

    @Test func formEncodedDeliveriesAreAccepted() async throws {
        let json = String(decoding: try Fixtures.data("workflow_job/waiting.payload.json"), as: UTF8.self)
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let form = "payload=" + json.addingPercentEncoding(withAllowedCharacters: allowed)!
        let response = await handler.handle(delivery(Array(form.utf8), contentType: "application/x-www-form-urlencoded"))
        #expect(response.status == 202)
        #expect(store.events.first?.jobID == 12877621891)
    }

    @Test func badInputGetsPreciseAnswersAndStoresNothing() async throws {
        let cases: [(String, String, Int, String)] = [
            ("{not json", "application/json", 400, "invalid_json"),
            (#"{"action":"queued","repository":{"id":1,"name":"r","full_name":"o/r","owner":{"login":"o","id":1}}}"#,
             "application/json", 400, "missing field 'workflow_job'"),
            (#"{"action":"queued","workflow_job":{"run_id":1,"run_attempt":1,"status":"queued","labels":[]},"repository":{"id":1,"name":"r","full_name":"o/r","owner":{"login":"o","id":1}}}"#,
             "application/json", 400, "missing field 'workflow_job.id'"),
            (#"{"action":"queued","workflow_job":{"id":"x","run_id":1,"run_attempt":1,"status":"queued","labels":[]},"repository":{"id":1,"name":"r","full_name":"o/r","owner":{"login":"o","id":1}}}"#,
             "application/json", 400, "wrong type at 'workflow_job.id'"),
            (#"{"action":"exploded","workflow_job":{"id":1,"run_id":1,"run_attempt":1,"status":"queued","labels":["k8s"]},"repository":{"id":1,"name":"r","full_name":"o/r","owner":{"login":"o","id":1}}}"#,
             "application/json", 400, "unknown workflow_job action"),
            (#"{"action":"queued","workflow_job":{"id":1,"run_id":1,"run_attempt":1,"status":"sleeping","labels":["k8s"]},"repository":{"id":1,"name":"r","full_name":"o/r","owner":{"login":"o","id":1}}}"#,
             "application/json", 400, "unknown workflow_job status"),
            ("{}", "text/plain", 415, "unsupported_media_type"),
            ("a=b", "application/x-www-form-urlencoded", 400, "no 'payload' field"),
        ]
        for (body, type, status, text) in cases {
            let response = await handler.handle(delivery(Array(body.utf8), contentType: type))
            #expect(response.status == status, "\(body)")
            #expect(String(decoding: response.body, as: UTF8.self).contains(text), "\(body)")
        }
        var noDelivery = delivery(Array("{}".utf8))
        noDelivery.headers.remove("X-GitHub-Delivery")
        #expect(await handler.handle(noDelivery).status == 400)
        #expect(store.events.isEmpty)
    }

    @Test func databaseDownIs503AndNothingIsAcknowledged() async throws {
        store.setDown(true)
        let body = try Fixtures.data("workflow_job/waiting.payload.json")
        let id = UUID().uuidString
        let response = await handler.handle(delivery(body, id: id))
        #expect(response.status == 503)
        #expect(response.headers["Retry-After"] == "5")
        store.setDown(false)
        #expect(await handler.handle(delivery(body, id: id)).status == 202)
        #expect(store.events.count == 1)
    }

    @Test func duplicateDeliveryChangesNothing() async throws {
        let body = try Fixtures.data("workflow_job/waiting.payload.json")
        #expect(await handler.handle(delivery(body, id: "d-1")).status == 202)
        let again = await handler.handle(delivery(body, id: "d-1"))
        #expect(again.status == 200)
        #expect(String(decoding: again.body, as: UTF8.self).contains(#""status":"duplicate""#))
        #expect(store.events.count == 1)
    }

    @Test func pingAndOtherEvents() async throws {
        let ping = await handler.handle(delivery(try Fixtures.data("ping/with-app_id.payload.json"), event: "ping"))
        #expect(ping.status == 200)
        let push = await handler.handle(delivery(Array(#"{"action":"created"}"#.utf8), event: "push"))
        #expect(push.status == 202)
        #expect(store.ignored.map(\.outcome) == ["ping", "ignored_event"])
        #expect(store.events.isEmpty)
    }

    @Test func githubHostedJobsAreIgnoredAndUnservedOnesUnroutable() async throws {
        let config = try PoolsConfig.parse("""
            pools: [{name: k8s, host: eks, os: ubuntu, labels: [k8s], orchestrator_url: "http://o", eks: {cluster: c}}]
            """)
        let handler = WebhookHandler(verifier: WebhookVerifier(secrets: [Self.secret]), store: store, pools: config,
                                     notifier: notifier, metrics: metrics, logger: Logger(label: "test"))
        let hosted = await handler.handle(delivery(try Fixtures.data("workflow_job/queued.payload.json")))
        #expect(hosted.status == 202)
        #expect(String(decoding: hosted.body, as: UTF8.self).contains(#""status":"ignored""#))
        #expect(store.events.isEmpty)
        // Acknowledged only once recorded, like every workflow_job delivery (found by the fault test:
        // an ignored delivery answered 202 while Postgres restarted was not in `deliveries`).
        store.setDown(true)
        let unrecorded = await handler.handle(delivery(try Fixtures.data("workflow_job/queued.payload.json")))
        #expect(unrecorded.status == 503)
        store.setDown(false)
        let json = #"{"action":"queued","workflow_job":{"id":77,"run_id":1,"run_attempt":1,"status":"queued","labels":["self-hosted","gpu"]},"repository":{"id":1,"name":"r","full_name":"o/r","owner":{"login":"o","id":1}}}"#
        let unroutable = await handler.handle(delivery(Array(json.utf8)))
        #expect(unroutable.status == 202)
        #expect(String(decoding: unroutable.body, as: UTF8.self).contains(#""dispatch_state":"unroutable""#))
        #expect(store.events.first?.pool == nil)
        #expect(store.events.first?.unroutableReason?.contains("gpu") == true)
        #expect(metrics.registry.render().contains("runway_jobs_unroutable_total 1"))
    }

    @Test func recordedJobsPokeThePublisher() async throws {
        let task = Task { await notifier.run() }
        defer { notifier.finish(); task.cancel() }
        #expect(await handler.handle(delivery(try Fixtures.data("workflow_job/waiting.payload.json"))).status == 202)
        for _ in 0..<200 where transport.requests.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(5)) }
        let sent = try #require(transport.requests.withLock { $0.first })
        #expect(sent.url == "http://127.0.0.1:9/v1/notify")
        #expect(sent.headers["Authorization"] == "Bearer internal-token-0123456789")
        #expect(String(decoding: sent.body, as: UTF8.self).contains(#""job_id":12877621891"#))
    }
}

import Foundation
import GitHub
import Testing

@Suite struct WebhookTests {
    struct Vector: Decodable {
        var secret: String
        var payload: String
        var x_hub_signature_256: String
    }

    @Test func documentedSignatureVector() throws {
        let v = try JSONDecoder().decode(Vector.self, from: Fixtures.data("webhooks/signature-test-vector.json"))
        let verifier = WebhookVerifier(secrets: [v.secret])
        try verifier.verify(body: Array(v.payload.utf8), signature256: v.x_hub_signature_256)
        try verifier.verify(body: Array(v.payload.utf8), signature256: v.x_hub_signature_256.uppercased().replacingOccurrences(of: "SHA256=", with: "sha256="))
        #expect(WebhookVerifier.signature(body: Array(v.payload.utf8), secret: v.secret) == v.x_hub_signature_256)
        #expect(throws: WebhookVerificationError.mismatch) {
            try verifier.verify(body: Array((v.payload + " ").utf8), signature256: v.x_hub_signature_256)
        }
    }

    @Test func rotationAcceptsAnyConfiguredSecret() throws {
        let body = Array(#"{"action":"queued"}"#.utf8)
        let verifier = WebhookVerifier(secrets: ["new-secret", "old-secret"])
        try verifier.verify(body: body, signature256: WebhookVerifier.signature(body: body, secret: "old-secret"))
        try verifier.verify(body: body, signature256: WebhookVerifier.signature(body: body, secret: "new-secret"))
        #expect(throws: WebhookVerificationError.mismatch) {
            try verifier.verify(body: body, signature256: WebhookVerifier.signature(body: body, secret: "other"))
        }
    }

    @Test func refusesMissingMalformedAndSHA1OnlySignatures() {
        let verifier = WebhookVerifier(secrets: ["s"])
        let body = Array("x".utf8)
        #expect(throws: WebhookVerificationError.missingSignature) { try verifier.verify(body: body, signature256: nil) }
        #expect(throws: WebhookVerificationError.missingSignature) { try verifier.verify(body: body, signature256: "") }
        #expect(throws: WebhookVerificationError.sha1Only) {
            try verifier.verify(body: body, signature256: nil, signatureSHA1: "sha1=0000000000000000000000000000000000000000")
        }
        #expect(throws: WebhookVerificationError.malformedSignature) { try verifier.verify(body: body, signature256: "sha1=abcd") }
        #expect(throws: WebhookVerificationError.malformedSignature) {
            try verifier.verify(body: body, signature256: "sha256=" + String(repeating: "z", count: 64))
        }
        #expect(throws: WebhookVerificationError.mismatch) {
            try WebhookVerifier(secrets: []).verify(body: body, signature256: WebhookVerifier.signature(body: body, secret: ""))
        }
    }

    static let workflowJobFixtures = [
        "queued.payload.json", "queued.with-deployment.payload.json", "waiting.payload.json", "in_progress.payload.json",
        "in_progress.with-queued-steps.payload.json", "completed.success.with-organization.payload.json",
        "completed.failure.with-organization.payload.json",
    ]

    @Test(arguments: workflowJobFixtures)
    func workflowJobFixtureDecodes(name: String) throws {
        let event = try WorkflowJobEvent.decode(Fixtures.data("webhooks/workflow_job/" + name))
        #expect(event.workflowJob.id > 0 && event.workflowJob.runID > 0 && event.workflowJob.runAttempt >= 1)
        #expect(!event.workflowJob.labels.isEmpty)
        // octokit's captures were edited by hand: full_name and owner.login do not always agree.
        #expect(event.repository.fullName.hasSuffix("/" + event.repository.name))
        #expect(name.hasPrefix(event.action.rawValue))
        #expect(event.workflowJob.status.progressRank != nil)
        if event.action == .completed {
            #expect(event.workflowJob.conclusion != nil && event.workflowJob.completedAt != nil && event.organization != nil)
        } else {
            #expect(event.installation != nil)
        }
    }

    @Test func actionAndStatusMayDiffer() throws {
        let event = try WorkflowJobEvent.decode(Fixtures.data("webhooks/workflow_job/queued.with-deployment.payload.json"))
        #expect(event.action == .queued)
        #expect(event.workflowJob.status == .waiting)
        #expect(event.workflowJob.labels == ["self-hosted", "k8s"])
        #expect(event.workflowJob.runnerName == nil)
    }

    @Test func unknownValuesDecodeOpenly() throws {
        var json = try #require(try JSONSerialization.jsonObject(with: Fixtures.data("webhooks/workflow_job/in_progress.payload.json")) as? [String: Any])
        json["action"] = "paused_for_review"
        var job = try #require(json["workflow_job"] as? [String: Any])
        job["status"] = "pending_approval"
        job["conclusion"] = "startup_failure"
        json["workflow_job"] = job
        let event = try WorkflowJobEvent.decode(Array(try JSONSerialization.data(withJSONObject: json)))
        #expect(event.action.rawValue == "paused_for_review")
        #expect(event.workflowJob.status.rawValue == "pending_approval" && event.workflowJob.status.progressRank == nil)
        #expect(event.workflowJob.conclusion?.rawValue == "startup_failure")
    }

    @Test func missingRequiredFieldsFail() {
        #expect(throws: (any Error).self) { try WorkflowJobEvent.decode(Array(#"{"action":"queued"}"#.utf8)) }
        #expect(throws: (any Error).self) { try WorkflowJobEvent.decode(Array("not json".utf8)) }
    }

    @Test(arguments: ["payload.json", "with-app_id.payload.json", "with-organization.payload.json"])
    func pingFixtureDecodes(name: String) throws {
        let ping = try PingEvent.decode(Fixtures.data("webhooks/ping/" + name))
        #expect(ping.zen?.isEmpty == false)
        #expect(ping.hookID == 109948940)
        #expect(ping.hook?.id != nil && ping.hook?.active == true)
        if name == "with-app_id.payload.json" { #expect(ping.hook?.appID == 29310) }
    }
}

import Foundation
import GitHub
import HTTP
import HTTPClient

/// Builds and sends signed `workflow_job` deliveries.
enum Webhooks {
    static let secret = "integration-webhook-secret"

    /// A minimal but complete `workflow_job` payload.
    static func payload(jobID: Int64, action: String, labels: [String], runnerName: String? = nil,
                        runID: Int64 = 900, installationID: Int64 = 1, owner: String = "octo-org") -> [UInt8] {
        let status = action
        let conclusion = action == "completed" ? #""success""# : "null"
        let runner = runnerName.map { "\"\($0)\"" } ?? "null"
        let labelJSON = labels.map { "\"\($0)\"" }.joined(separator: ",")
        let json = """
            {"action":"\(action)","workflow_job":{"id":\(jobID),"run_id":\(runID),"run_attempt":1,"status":"\(status)",
            "conclusion":\(conclusion),"labels":[\(labelJSON)],"runner_name":\(runner),"runner_id":null,
            "created_at":"2026-11-29T08:00:00Z","started_at":"2026-11-29T08:00:00Z","completed_at":null,"name":"build"},
            "repository":{"id":1,"name":"octo-repo","full_name":"\(owner)/octo-repo","owner":{"login":"\(owner)","id":7,"type":"Organization"}},
            "organization":{"login":"\(owner)","id":7},"installation":{"id":\(installationID)}}
            """
        return Array(json.utf8)
    }

    /// POSTs a signed delivery to `baseURL/webhook`.
    static func send(_ body: [UInt8], to baseURL: String, delivery: String = UUID().uuidString, event: String = "workflow_job",
                     client: HTTPClient) async throws -> ClientResponse {
        let headers: HTTPHeaders = [
            "Content-Type": "application/json", "X-GitHub-Event": event, "X-GitHub-Delivery": delivery,
            "X-Hub-Signature-256": WebhookVerifier.signature(body: body, secret: secret), "User-Agent": "GitHub-Hookshot/test",
        ]
        return try await client.execute(ClientRequest(method: "POST", url: baseURL + "/webhook", headers: headers, body: body,
                                                      timeout: .seconds(15)))
    }
}

import Foundation
import HTTP
import HTTPClient
import Synchronization
import Testing
@testable import PublisherCore

/// A transport that records requests and answers from a closure.
final class FakeTransport: HTTPTransport, Sendable {
    let requests = Mutex<[ClientRequest]>([])
    let answer: @Sendable (ClientRequest) throws -> ClientResponse
    init(_ answer: @escaping @Sendable (ClientRequest) throws -> ClientResponse) { self.answer = answer }
    func execute(_ request: ClientRequest) async throws -> ClientResponse {
        requests.withLock { $0.append(request) }
        return try answer(request)
    }
}

private func response(_ status: Int, _ body: String = "", headers: HTTPHeaders = [:]) -> ClientResponse {
    ClientResponse(status: status, headers: headers, body: Array(body.utf8))
}

@Suite struct OrchestratorClientTests {
    let job = DispatchJob(id: 42, runID: 7, pool: "ec2", labels: ["self-hosted", "linux"], owner: "octo", repository: "octo/app", installationID: 9, attempt: 0, receivedAt: Date())

    @Test func launchPostsTheContractBodyWithTheToken() async throws {
        let transport = FakeTransport { _ in response(201, #"{"runner_name":"runway-ec2-42-0","provider_id":"i-123"}"#) }
        let client = HTTPOrchestratorClient(transport: transport, token: "secret-token-123456")
        let outcome = await client.launch(LaunchRequest(job: job), orchestratorURL: "http://orch:8080/")
        #expect(outcome == .launched(providerID: "i-123"))
        let request = try #require(transport.requests.withLock { $0.first })
        #expect(request.method == "POST")
        #expect(request.url == "http://orch:8080/v1/runners")
        #expect(request.headers["Authorization"] == "Bearer secret-token-123456")
        let body = try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any]
        #expect(body?["runner_name"] as? String == "runway-ec2-42-0")
        #expect(body?["job_id"] as? Int == 42)
        #expect(body?["installation_id"] as? Int == 9)
        #expect(body?["labels"] as? [String] == ["self-hosted", "linux"])
        #expect(body?["owner"] as? String == "octo")
        #expect(body?["repository"] as? String == "octo/app")
    }

    @Test(arguments: [
        (500, "retry"), (502, "retry"), (503, "retry"), (429, "deferred"), (408, "retry"), (401, "retry"),
        (400, "failed"), (404, "failed"), (422, "failed"),
    ])
    func statusesMapToOutcomes(status: Int, expected: String) async {
        let transport = FakeTransport { _ in response(status, #"{"error":{"code":"capacity","message":"no capacity"}}"#) }
        let outcome = await HTTPOrchestratorClient(transport: transport, token: nil).launch(LaunchRequest(job: job), orchestratorURL: "http://o")
        switch outcome {
        case .retry: #expect(expected == "retry")
        case .deferred(let after, _):
            #expect(expected == "deferred")
            #expect(after == .seconds(5), "a 429 without Retry-After waits 5 s")
        case .failed(let reason):
            #expect(expected == "failed")
            #expect(reason == "orchestrator \(status) capacity: no capacity")
        case .launched: Issue.record("status \(status) counted as launched")
        }
    }

    @Test func retryAfterIsHonouredAndGarbageIsRetried() async {
        let throttled = FakeTransport { _ in response(503, "busy", headers: ["Retry-After": "17"]) }
        #expect(await HTTPOrchestratorClient(transport: throttled, token: nil).launch(LaunchRequest(job: job), orchestratorURL: "http://o")
            == .deferred(after: .seconds(17), reason: "orchestrator 503"), "a 503 with Retry-After is the Orchestrator asking to come back later")
        let crashed = FakeTransport { _ in response(500, "boom", headers: ["Retry-After": "3"]) }
        #expect(await HTTPOrchestratorClient(transport: crashed, token: nil).launch(LaunchRequest(job: job), orchestratorURL: "http://o")
            == .retry(after: .seconds(3), reason: "orchestrator 500"))
        let garbage = FakeTransport { _ in response(201, "<html>") }
        if case .retry = await HTTPOrchestratorClient(transport: garbage, token: nil).launch(LaunchRequest(job: job), orchestratorURL: "http://o") {
        } else {
            Issue.record("a 201 with an unreadable body must be retried (the call is idempotent)")
        }
        let down = FakeTransport { _ in throw HTTPClientError(code: .connect, message: "refused") }
        #expect(await HTTPOrchestratorClient(transport: down, token: nil).launch(LaunchRequest(job: job), orchestratorURL: "http://o")
            == .retry(after: nil, reason: "orchestrator unreachable: connect"))
    }

    @Test func tearDownIsConfirmedOnlyByTheContractStatuses() async throws {
        for (status, confirmed) in [(202, true), (404, true), (204, true), (500, false), (503, false)] {
            let transport = FakeTransport { _ in response(status) }
            let outcome = await HTTPOrchestratorClient(transport: transport, token: "t").tearDown(runnerName: "runway-ec2-42-0", orchestratorURL: "http://o")
            #expect((outcome == .confirmed) == confirmed, "status \(status)")
            let request = try #require(transport.requests.withLock { $0.first })
            #expect(request.method == "DELETE" && request.url == "http://o/v1/runners/runway-ec2-42-0")
        }
    }

    @Test func listRunnersReadsBothShapes() async throws {
        let wrapped = FakeTransport { _ in
            response(200, #"{"runners":[{"runner_name":"runway-ec2-1-0","provider_id":"i-1","state":"running","launched_at":"2026-11-29T09:00:00Z"}]}"#)
        }
        let runners = try await HTTPOrchestratorClient(transport: wrapped, token: nil).listRunners(pool: "ec2", orchestratorURL: "http://o")
        #expect(runners.map(\.runnerName) == ["runway-ec2-1-0"])
        #expect(runners.first?.launchedAt == Date(timeIntervalSince1970: 1_795_942_800))
        #expect(wrapped.requests.withLock { $0.first?.url } == "http://o/v1/runners?pool=ec2")
        let bare = FakeTransport { _ in response(200, #"[{"runner_name":"runway-ec2-2-0","provider_id":"i-2","state":"pending","launched_at":"2026-11-29T09:00:00.123Z"}]"#) }
        #expect(try await HTTPOrchestratorClient(transport: bare, token: nil).listRunners(pool: "ec2", orchestratorURL: "http://o").count == 1)
        let broken = FakeTransport { _ in response(500) }
        await #expect(throws: OrchestratorError.self) {
            try await HTTPOrchestratorClient(transport: broken, token: nil).listRunners(pool: "ec2", orchestratorURL: "http://o")
        }
    }
}

@Suite struct OrchestratorRunnerListTests {
    /// The Orchestrator encodes `launched_at` as ISO-8601 (JSONCoding); the list must decode it.
    @Test func runnerListWithISODatesDecodes() async throws {
        let body = #"{"runners":[{"runner_name":"runway-ec2-1-1","provider_id":"i-1","state":"running","launched_at":"2026-11-29T10:00:00Z"}]}"#
        let transport = FakeTransport { _ in ClientResponse(status: 200, headers: [:], body: Array(body.utf8)) }
        let runners = try await HTTPOrchestratorClient(transport: transport, token: nil).listRunners(pool: "ec2", orchestratorURL: "http://o")
        #expect(runners.map(\.runnerName) == ["runway-ec2-1-1"])
        #expect(runners.first?.launchedAt == ISO8601DateFormatter().date(from: "2026-11-29T10:00:00Z"))
    }
}

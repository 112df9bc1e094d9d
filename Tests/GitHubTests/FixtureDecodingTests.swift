import Foundation
import HTTPClient
@testable import GitHub
import Testing

/// GitHub's documented response examples decode through the client's real code path.
@Suite struct FixtureDecodingTests {
    private func app(serving handler: @escaping FakeTransport.Handler) async throws -> (GitHubApp, FakeTransport) {
        let transport = FakeTransport(handler)
        let app = GitHubApp(credentials: try await TestKeys.credentials(), transport: transport, clock: ManualClock().clock)
        return (app, transport)
    }

    @Test func installationAndToken() async throws {
        let (app, _) = try await app { request in
            if request.pathOnly.hasSuffix("/access_tokens") { return try .fixture(201, "rest/installation-access-token.201.json") }
            return try .fixture(200, "rest/repo-installation.get.200.json")
        }
        let installation = try await app.installation(owner: "octocat", repository: "Hello-World")
        #expect(installation.id == 1)
        #expect(installation.account?.login == "github")
        #expect(installation.appID == 1)
        #expect(installation.targetType == "Organization")
        #expect(installation.permissions["checks"] == "write")
        #expect(installation.suspendedAt == nil)
        // The fixture's token expired in 2016, so every call mints a new one; decoding is what counts here.
        let token = try await app.installationToken(for: 1)
        #expect(token.value == "ghs_16C7e42F292c6912E7710c838347Ae178B4a")
        #expect(token.expiresAt == GitHubDate.parse("2016-07-11T22:14:10Z"))
        #expect(token.repositorySelection == "selected")
        #expect(!token.description.contains("ghs_"))
        #expect(!"\(token)".contains("ghs_") && !String(reflecting: token).contains("ghs_"))
    }

    @Test func runnersListAndJITConfig() async throws {
        let clock = ManualClock(Date(timeIntervalSince1970: 1_000_000))
        let transport = FakeTransport { request in
            if request.pathOnly.hasSuffix("/access_tokens") {
                return .json(201, #"{"token":"ghs_x","expires_at":"2030-01-01T00:00:00Z"}"#)
            }
            if request.pathOnly.hasSuffix("/generate-jitconfig") { return try .fixture(201, "rest/generate-jitconfig.201.json") }
            return try .fixture(200, "rest/runners.list.200.json")
        }
        let app = GitHubApp(credentials: try await TestKeys.credentials(), transport: transport, clock: clock.clock)
        let runners = try await app.runners(scope: .organization("octo-org"), installationID: 9)
        #expect(runners.map(\.name) == ["linux_runner", "mac_runner"])
        #expect(runners[0].busy && runners[0].status == .online && runners[0].ephemeral == false)
        #expect(runners[1].labels.map(\.name) == ["self-hosted", "X64", "macOS", "no-gpu"])
        #expect(runners[1].labels[3].type == "custom")

        let request = try JSONDecoder().decode(RequestShape.self, from: Fixtures.data("rest/generate-jitconfig.request.json"))
        let jit = try await app.generateJITConfig(
            JITConfigRequest(name: request.name, runnerGroupID: request.runner_group_id, labels: request.labels, workFolder: request.work_folder),
            scope: .organization("octo-org"), installationID: 9)
        #expect(jit.runner.id == 23)
        #expect(jit.encodedJITConfig == "abc123")
        #expect(!jit.description.contains("abc123") && !String(reflecting: jit).contains("abc123"))
        var dumped = ""
        dump(jit, to: &dumped)
        #expect(!dumped.contains("abc123"))
        // The body sent is exactly the documented example.
        let sent = await transport.requests.last { $0.pathOnly.hasSuffix("/generate-jitconfig") }
        let sentShape = try JSONDecoder().decode(RequestShape.self, from: Data(try #require(sent).body))
        #expect(sentShape == request)
    }

    @Test func singleRunner() throws {
        let runner = try GitHubDate.decoder().decode(Runner.self, from: Fixtures.data("rest/runner.get.200.json"))
        #expect(runner.id == 23 && runner.name == "MBP" && runner.os == "macos" && runner.busy)
    }

    @Test func hookDeliveries() throws {
        let list = try GitHubDate.decoder().decode([HookDelivery].self, from: Fixtures.data("rest/hook-deliveries.list.200.json"))
        #expect(list.count == 2)
        #expect(list[0].guid == "0b989ba4-242f-11e5-81e1-c7b6966d2516" && list[0].succeeded && list[0].installationID == 123)
        #expect(!list[1].succeeded && list[1].redelivery && list[1].action == nil)
        let detail = try GitHubDate.decoder().decode(HookDeliveryDetail.self, from: Fixtures.data("rest/hook-delivery.get.200.json"))
        #expect(detail.delivery.id == 12345678)
        #expect(detail.requestHeaders["X-GitHub-Event"] == "workflow_job")
    }

    /// octokit's recorded 422 with real headers becomes a typed error with GitHub's fields.
    @Test func recordedErrorBecomesTypedError() throws {
        let recording = try #require(try JSONSerialization.jsonObject(with: Fixtures.data("rest/octokit-fixtures/errors.normalized-fixture.json")) as? [[String: Any]]).first
        let headers = try #require(recording?["headers"] as? [String: String])
        let body = try JSONSerialization.data(withJSONObject: try #require(recording?["response"]))
        let error = GitHubError.from(status: 422, headers: headers, body: Array(body), operation: "POST /repos/{owner}/{repo}/labels")
        #expect(error.code == .validationFailed)
        #expect(error.status == 422)
        #expect(error.message == "Validation Failed (Label color invalid)")
        #expect(error.documentationURL == "https://developer.github.com/v3/issues/labels/#create-a-label")
        #expect(error.requestID == "0000:00000:0000000:0000000:00000000")
        // The recording's reset header is in milliseconds; it is read as a date in 2017 either way.
        #expect(RateLimitTracker.resetDate(1507651200000) == Date(timeIntervalSince1970: 1507651200))
    }

    struct RequestShape: Codable, Equatable {
        var name: String
        var runner_group_id: Int64
        var labels: [String]
        var work_folder: String
    }
}

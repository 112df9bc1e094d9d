import Foundation
import HTTPClient
import GitHub
import Testing

/// The client against a scripted fake GitHub: routes, headers, conflicts, pagination, errors.
@Suite struct GitHubAppTests {
    static let token = #"{"token":"ghs_secret_token_value","expires_at":"2030-01-01T00:00:00Z"}"#

    static func runnerJSON(id: Int, name: String, busy: Bool = false) -> String {
        #"{"id":\#(id),"name":"\#(name)","os":"linux","status":"offline","busy":\#(busy),"ephemeral":true,"labels":[{"id":1,"name":"self-hosted","type":"read-only"}]}"#
    }

    static func make(_ handler: @escaping FakeTransport.Handler, apiURL: String = "https://api.github.test",
                     clock: ManualClock = ManualClock(),
                     configure: (inout GitHubApp.Configuration) -> Void = { _ in }) async throws -> (GitHubApp, FakeTransport, ManualClock) {
        let transport = FakeTransport { request in
            if request.pathOnly.hasSuffix("/access_tokens") { return .json(201, token) }
            return try await handler(request)
        }
        var configuration = GitHubApp.Configuration()
        configure(&configuration)
        let app = GitHubApp(credentials: try await TestKeys.credentials(apiURL: apiURL), transport: transport,
                            configuration: configuration, clock: clock.clock)
        return (app, transport, clock)
    }

    @Test func standardHeadersAndGHESBaseURL() async throws {
        let (app, transport, _) = try await Self.make({ _ in .json(200, #"{"total_count":0,"runners":[]}"#) },
                                                      apiURL: "https://ghes.example.com/api/v3")
        _ = try await app.runner(named: "runway-ec2-ubuntu-1-1", scope: .enterprise("acme corp"), installationID: 5)
        let request = try #require(await transport.requests.last)
        #expect(request.url.hasPrefix("https://ghes.example.com/api/v3/enterprises/acme%20corp/actions/runners?"))
        #expect(request.query("name") == "runway-ec2-ubuntu-1-1")
        #expect(request.query("per_page") == "100")
        #expect(request.headers["Accept"] == "application/vnd.github+json")
        #expect(request.headers["X-GitHub-Api-Version"] == "2022-11-28")
        #expect(request.headers["User-Agent"] == "runway-github-app")
    }

    @Test func rejectsUnsafeScopeNamesAndInvalidJITRequests() async throws {
        let (app, transport, _) = try await Self.make { _ in .json(500, "{}") }
        await #expect { try await app.runners(scope: .organization("../app"), installationID: 1) } throws: {
            ($0 as? GitHubError)?.code == .invalidRequest
        }
        await #expect { try await app.generateJITConfig(JITConfigRequest(name: "r", labels: []), scope: .organization("o"), installationID: 1) } throws: {
            ($0 as? GitHubError)?.code == .invalidRequest
        }
        #expect(await transport.requests.isEmpty)
    }

    @Test(arguments: [(409, #"{"message":"Conflict"}"#), (422, #"{"message":"Validation Failed","errors":["Runner with name r1 already exists"]}"#)])
    func nameConflictReplacesAnIdleRegistration(status: Int, body: String) async throws {
        let generated = Counter()
        let (app, transport, _) = try await Self.make { request in
            switch (request.method, request.pathOnly) {
            case ("POST", "/orgs/o/actions/runners/generate-jitconfig"):
                if await generated.next() == 0 { return .json(status, body) }
                return .json(201, #"{"runner":\#(Self.runnerJSON(id: 99, name: "r1")),"encoded_jit_config":"c2VjcmV0"}"#)
            case ("GET", "/orgs/o/actions/runners"):
                return .json(200, #"{"total_count":1,"runners":[\#(Self.runnerJSON(id: 41, name: "r1"))]}"#)
            case ("DELETE", "/orgs/o/actions/runners/41"):
                return ClientResponse(status: 204, headers: [:], body: [])
            default:
                return .json(404, #"{"message":"Not Found"}"#)
            }
        }
        let config = try await app.registerJITRunner(JITConfigRequest(name: "r1", labels: ["self-hosted"]), scope: .organization("o"), installationID: 3)
        #expect(config.runner.id == 99)
        #expect(config.encodedJITConfig == "c2VjcmV0")
        let calls = await transport.requests.filter { !$0.pathOnly.hasSuffix("/access_tokens") }.map { "\($0.method) \($0.pathOnly)" }
        #expect(calls == [
            "POST /orgs/o/actions/runners/generate-jitconfig", "GET /orgs/o/actions/runners",
            "DELETE /orgs/o/actions/runners/41", "POST /orgs/o/actions/runners/generate-jitconfig",
        ])
    }

    @Test func nameConflictWithABusyRunnerIsNotDeleted() async throws {
        let (app, transport, _) = try await Self.make { request in
            if request.method == "POST" { return .json(409, #"{"message":"Conflict"}"#) }
            if request.method == "GET" {
                return .json(200, #"{"total_count":1,"runners":[\#(Self.runnerJSON(id: 41, name: "r1", busy: true))]}"#)
            }
            Issue.record("unexpected \(request.method) \(request.pathOnly)")
            return .json(500, "{}")
        }
        await #expect {
            try await app.registerJITRunner(JITConfigRequest(name: "r1", labels: ["x"]), scope: .repository(owner: "o", name: "r"), installationID: 3)
        } throws: { ($0 as? GitHubError)?.code == .conflict }
        #expect(await transport.count(pathSuffix: "/41", method: "DELETE") == 0)
    }

    @Test func validationErrorsOtherThanConflictsAreNotRetried() async throws {
        let (app, transport, _) = try await Self.make { _ in
            .json(422, #"{"message":"Validation Failed","errors":["runner_group_id is invalid"],"documentation_url":"https://docs.github.com/rest"}"#,
                  headers: [("X-GitHub-Request-Id", "ABCD:1234")])
        }
        await #expect {
            try await app.registerJITRunner(JITConfigRequest(name: "r1", labels: ["x"]), scope: .organization("o"), installationID: 3)
        } throws: { error in
            guard let e = error as? GitHubError else { return false }
            return e.code == .validationFailed && e.requestID == "ABCD:1234" && e.documentationURL == "https://docs.github.com/rest"
                && e.message.contains("runner_group_id is invalid") && !"\(e)".contains("ghs_")
        }
        #expect(await transport.count(pathSuffix: "/generate-jitconfig") == 1)
    }

    @Test func deleteTreats404AsAlreadyGone() async throws {
        let (app, _, _) = try await Self.make { request in
            request.pathOnly.hasSuffix("/41") ? ClientResponse(status: 204, headers: [:], body: []) : .json(404, #"{"message":"Not Found"}"#)
        }
        #expect(try await app.deleteRunner(id: 41, scope: .organization("o"), installationID: 1) == .deleted)
        #expect(try await app.deleteRunner(id: 42, scope: .organization("o"), installationID: 1) == .alreadyGone)
    }

    @Test func deleteByNameFindsTheRunnerOrReportsGone() async throws {
        let (app, transport, _) = try await Self.make { request in
            if request.method == "DELETE" { return ClientResponse(status: 204, headers: [:], body: []) }
            let name = request.query("name") ?? ""
            // A server that ignores `name=` would return other runners; only the exact name counts.
            return .json(200, #"{"total_count":1,"runners":[\#(Self.runnerJSON(id: 7, name: "r-known"))]}"#.replacingOccurrences(of: "r-known", with: name == "r-known" ? "r-known" : "r-other"))
        }
        #expect(try await app.deleteRunner(named: "r-known", scope: .organization("o"), installationID: 1) == .deleted)
        #expect(try await app.deleteRunner(named: "r-missing", scope: .organization("o"), installationID: 1) == .alreadyGone)
        #expect(await transport.count(pathSuffix: "/actions/runners/7", method: "DELETE") == 1)
    }

    @Test func runnersFollowLinkPagination() async throws {
        let (app, transport, _) = try await Self.make { request in
            let page = Int(request.query("page") ?? "1") ?? 1
            let runners = (0..<(page < 3 ? 2 : 1)).map { Self.runnerJSON(id: page * 10 + $0, name: "r\(page)-\($0)") }
            let link = page < 3 ? [("Link", #"<https://api.github.test/orgs/o/actions/runners?page=\#(page + 1)>; rel="next", <https://api.github.test/orgs/o/actions/runners?page=3>; rel="last""#)] : []
            return .json(200, #"{"total_count":5,"runners":[\#(runners.joined(separator: ","))]}"#, headers: link)
        }
        let all = try await app.runners(scope: .organization("o"), installationID: 1)
        #expect(all.map(\.id) == [10, 11, 20, 21, 30])
        #expect(await transport.count(pathSuffix: "/actions/runners") == 3)
    }

    @Test func deliveriesUseCursorPaginationAndRedeliver() async throws {
        let (app, transport, _) = try await Self.make { request in
            switch (request.method, request.pathOnly) {
            case ("GET", "/app/hook/deliveries"):
                if request.query("cursor") == nil {
                    return .json(200, #"[{"id":3,"guid":"g3","delivered_at":"2025-06-15T10:00:00Z","redelivery":false,"duration":0.1,"status":"OK","status_code":202,"event":"workflow_job","action":"queued","installation_id":1,"repository_id":2},{"id":2,"guid":"g2","delivered_at":"2025-06-15T09:00:00Z","redelivery":false,"duration":0.1,"status":"failed to connect","status_code":0,"event":"workflow_job","action":"queued","installation_id":1,"repository_id":2}]"#,
                                 headers: [("Link", #"<https://api.github.test/app/hook/deliveries?per_page=2&cursor=v1_2>; rel="next""#)])
                }
                #expect(request.query("cursor") == "v1_2")
                return .json(200, #"[{"id":1,"guid":"g1","delivered_at":"2025-06-14T09:00:00Z","redelivery":false,"duration":0.1,"status":"OK","status_code":200,"event":"ping","action":null,"installation_id":null,"repository_id":null}]"#)
            case ("GET", "/app/hook/deliveries/2"):
                return try .fixture(200, "rest/hook-delivery.get.200.json")
            case ("POST", "/app/hook/deliveries/2/attempts"):
                return .json(202, "{}")
            default:
                return .json(404, #"{"message":"Not Found"}"#)
            }
        }
        let first = try await app.hookDeliveries()
        #expect(first.deliveries.map(\.id) == [3, 2])
        #expect(first.nextCursor == "v1_2")
        let recent = try await app.hookDeliveries(since: ISO8601DateFormatter().date(from: "2025-06-15T00:00:00Z")!)
        #expect(recent.map(\.guid) == ["g3", "g2"])
        let everything = try await app.hookDeliveries(since: .distantPast)
        #expect(everything.map(\.id) == [3, 2, 1])
        #expect(try await app.hookDelivery(id: 2).requestHeaders["X-GitHub-Delivery"] != nil)
        try await app.redeliverHookDelivery(id: 2)
        let all = await transport.requests
        #expect(all.allSatisfy { $0.headers["Authorization"]?.hasPrefix("Bearer eyJ") == true })
        await #expect { try await app.redeliverHookDelivery(id: 9) } throws: { ($0 as? GitHubError)?.code == .notFound }
    }
}

extension GitHubAppTests {
    @Test func installationIDIsLookedUpOnceAndFallsBackToUserAccounts() async throws {
        let (app, transport, clock) = try await Self.make { request in
            switch request.pathOnly {
            case "/repos/acme/web/installation": return .json(200, #"{"id":31,"account":{"login":"acme","id":1}}"#)
            case "/orgs/someone/installation": return .json(404, #"{"message":"Not Found"}"#)
            case "/users/someone/installation": return .json(200, #"{"id":32,"account":{"login":"someone","id":2,"type":"User"}}"#)
            default: return .json(404, #"{"message":"Not Found"}"#)
            }
        }
        #expect(try await app.installationID(owner: "acme", repository: "web") == 31)
        #expect(try await app.installationID(owner: "ACME") == 31)
        #expect(await transport.requests.count == 1)
        #expect(try await app.installationID(owner: "someone") == 32)
        #expect(await transport.count(pathSuffix: "/users/someone/installation") == 1)
        await #expect { try await app.installationID(owner: "ghost") } throws: { ($0 as? GitHubError)?.code == .notFound }
        // Remembered for 10 minutes, then asked again.
        clock.advance(601)
        #expect(try await app.installationID(owner: "acme", repository: "web") == 31)
        #expect(await transport.count(pathSuffix: "/repos/acme/web/installation") == 2)
    }
}

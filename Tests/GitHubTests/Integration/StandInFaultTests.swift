import Foundation
import GitHub
import Testing

/// Injected failures: each answer GitHub may give has a test of what the client does with it.
extension StandInTests {
    static let scope = RunnerScope.organization("octo-org")
    static let request = JITConfigRequest(name: "runway-pool-1-1", labels: ["self-hosted", "pool"])

    @Test func nameTakenByAnIdleRunnerIsReplaced() async throws {
        let standIn = try await StandIn.start()
        defer { standIn.stop() }
        let old = try #require(try await standIn.control("POST", "/_standin/runners",
                                                         ["scope": "orgs/octo-org", "name": Self.request.name, "busy": false]) as? [String: Any])
        let app = try await standIn.app()
        let config = try await app.registerJITRunner(Self.request, scope: Self.scope, installationID: 1)
        let oldID = try #require(old["id"] as? Int)
        #expect(Int(config.runner.id) != oldID)
        let runners = try await standIn.runners("orgs/octo-org")
        #expect(runners.count == 1 && runners.first?["id"] as? Int == Int(config.runner.id))
    }

    @Test func nameConflictAs422IsReplacedToo() async throws {
        let standIn = try await StandIn.start()
        defer { standIn.stop() }
        try await standIn.control("POST", "/_standin/config", ["conflict_status": 422])
        try await standIn.control("POST", "/_standin/runners", ["scope": "orgs/octo-org", "name": Self.request.name])
        let app = try await standIn.app()
        _ = try await app.registerJITRunner(Self.request, scope: Self.scope, installationID: 1)
        #expect(try await standIn.runners("orgs/octo-org").count == 1)
    }

    @Test func nameTakenByABusyRunnerIsAConflict() async throws {
        let standIn = try await StandIn.start()
        defer { standIn.stop() }
        try await standIn.control("POST", "/_standin/runners", ["scope": "orgs/octo-org", "name": Self.request.name, "busy": true])
        let app = try await standIn.app()
        await #expect { try await app.registerJITRunner(Self.request, scope: Self.scope, installationID: 1) } throws: {
            ($0 as? GitHubError)?.code == .conflict
        }
        let runners = try await standIn.runners("orgs/octo-org")
        #expect(runners.count == 1 && runners.first?["busy"] as? Bool == true)
        // Deleting a busy runner directly is refused with 422.
        let id = try #require(runners.first?["id"] as? Int)
        await #expect { try await app.deleteRunner(id: Int64(id), scope: Self.scope, installationID: 1) } throws: {
            ($0 as? GitHubError)?.code == .validationFailed
        }
    }

    @Test func injected409WithoutAnOldRunnerIsRetried() async throws {
        let standIn = try await StandIn.start()
        defer { standIn.stop() }
        try await standIn.fault(["match": ["path": "generate-jitconfig"], "status": 409])
        let app = try await standIn.app()
        _ = try await app.registerJITRunner(Self.request, scope: Self.scope, installationID: 1)
        #expect(try await standIn.runners("orgs/octo-org").count == 1)
    }

    @Test func injected401OnAnInstallationCallMintsANewToken() async throws {
        let standIn = try await StandIn.start()
        defer { standIn.stop() }
        let app = try await standIn.app()
        _ = try await app.installationToken(for: 1)
        try await standIn.fault(["match": ["path": "/actions/runners"], "status": 401])
        _ = try await app.runners(scope: Self.scope, installationID: 1)
        #expect(try await standIn.tokensMinted(1) == 2)
    }

    @Test func injected401OnTheAppJWTIsUnauthorized() async throws {
        let standIn = try await StandIn.start()
        defer { standIn.stop() }
        try await standIn.fault(["match": ["path": "/access_tokens"], "status": 401])
        let app = try await standIn.app()
        await #expect { try await app.installationToken(for: 1) } throws: { ($0 as? GitHubError)?.code == .unauthorized }
    }

    @Test func injected404And422AreTypedErrors() async throws {
        let standIn = try await StandIn.start()
        defer { standIn.stop() }
        try await standIn.fault(["match": ["path": "generate-jitconfig"], "status": 404])
        let app = try await standIn.app()
        await #expect { try await app.registerJITRunner(Self.request, scope: Self.scope, installationID: 1) } throws: { error in
            guard let e = error as? GitHubError else { return false }
            return e.code == .notFound && e.status == 404 && e.documentationURL != nil && e.requestID != nil
        }
        try await standIn.fault(["match": ["path": "generate-jitconfig"], "status": 422,
                                 "body": ["message": "Validation Failed", "errors": ["labels is invalid"]]])
        await #expect { try await app.registerJITRunner(Self.request, scope: Self.scope, installationID: 1) } throws: { error in
            guard let e = error as? GitHubError else { return false }
            return e.code == .validationFailed && e.message.contains("labels is invalid")
        }
        // What GitHub would refuse with 422 is refused before spending a request.
        await #expect {
            try await app.generateJITConfig(JITConfigRequest(name: "x", labels: Array(repeating: "l", count: 101)),
                                            scope: Self.scope, installationID: 1)
        } throws: { ($0 as? GitHubError)?.code == .invalidRequest }
    }

    @Test func serverErrorsAreRetriedForReadsOnly() async throws {
        let standIn = try await StandIn.start()
        defer { standIn.stop() }
        let app = try await standIn.app()
        try await standIn.fault(["match": ["method": "GET", "path": "/actions/runners"], "status": 502, "times": 2])
        #expect(try await app.runners(scope: Self.scope, installationID: 1).isEmpty)
        try await standIn.fault(["match": ["path": "generate-jitconfig"], "status": 503])
        await #expect { try await app.generateJITConfig(Self.request, scope: Self.scope, installationID: 1) } throws: {
            ($0 as? GitHubError)?.code == .server
        }
        let posts = (try await standIn.state()["requests"] as? [[String: Any]])?.filter { ($0["path"] as? String)?.hasSuffix("generate-jitconfig") == true }
        #expect(posts?.count == 1)
    }

    @Test func primaryAndSecondaryRateLimitsAreWaitedOut() async throws {
        let standIn = try await StandIn.start()
        defer { standIn.stop() }
        let app = try await standIn.app()
        try await standIn.fault(["match": ["path": "/actions/runners"], "rate_limit": "secondary", "retry_after": 1, "status": 429])
        let started = ContinuousClock.now
        _ = try await app.runners(scope: Self.scope, installationID: 1)
        #expect(ContinuousClock.now - started >= .milliseconds(900))
        try await standIn.fault(["match": ["path": "/actions/runners"], "rate_limit": "primary", "retry_after": 1])
        _ = try await app.runners(scope: Self.scope, installationID: 1)
    }

    @Test func longRateLimitsAreReturnedWithRetryAfter() async throws {
        let standIn = try await StandIn.start()
        defer { standIn.stop() }
        let app = try await standIn.app()
        try await standIn.fault(["match": ["path": "generate-jitconfig"], "rate_limit": "secondary", "retry_after": 120])
        await #expect { try await app.registerJITRunner(Self.request, scope: Self.scope, installationID: 1) } throws: { error in
            guard let e = error as? GitHubError else { return false }
            return e.code == .rateLimited && e.retryAfter == .seconds(120)
        }
    }

    @Test func slowAnswersTimeOut() async throws {
        let standIn = try await StandIn.start()
        defer { standIn.stop() }
        let app = try await standIn.app {
            $0.requestTimeout = .milliseconds(500)
            $0.maxAttempts = 1
        }
        _ = try await app.installationToken(for: 1)
        try await standIn.fault(["match": ["path": "/actions/runners"], "delay_ms": 2000])
        await #expect { try await app.runners(scope: Self.scope, installationID: 1) } throws: { error in
            guard let e = error as? GitHubError else { return false }
            return e.code == .transport && e.isRetryable
        }
    }

    @Test func truncatedBodiesFailThenRecover() async throws {
        let standIn = try await StandIn.start()
        defer { standIn.stop() }
        let app = try await standIn.app { $0.maxAttempts = 1 }
        _ = try await app.installationToken(for: 1)
        try await standIn.fault(["match": ["path": "/actions/runners"], "truncate": true])
        await #expect { try await app.runners(scope: Self.scope, installationID: 1) } throws: {
            let code = ($0 as? GitHubError)?.code
            return code == .transport || code == .malformedResponse
        }
        #expect(try await app.runners(scope: Self.scope, installationID: 1).isEmpty)
    }

    @Test func deliveriesPageByCursorAndRedeliver() async throws {
        let standIn = try await StandIn.start()
        defer { standIn.stop() }
        for i in 0..<5 {
            try await standIn.control("POST", "/_standin/deliveries", [
                "guid": "guid-\(i)", "event": "workflow_job", "action": "queued",
                "status_code": i == 2 ? 502 : 202, "status": i == 2 ? "Invalid HTTP Response: 502" : "OK",
                "installation_id": 1, "repository_id": 10,
            ])
        }
        let app = try await standIn.app { $0.perPage = 2 }
        let first = try await app.hookDeliveries()
        #expect(first.deliveries.map(\.guid) == ["guid-4", "guid-3"] && first.nextCursor != nil)
        let all = try await app.hookDeliveries(since: .distantPast, maxPages: 10)
        #expect(all.map(\.guid) == ["guid-4", "guid-3", "guid-2", "guid-1", "guid-0"])
        let failed = try #require(all.first { !$0.succeeded })
        let detail = try await app.hookDelivery(id: failed.id)
        #expect(detail.requestHeaders["X-GitHub-Delivery"] == "guid-2")
        try await app.redeliverHookDelivery(id: failed.id)
        let redeliveries = try #require(try await standIn.state()["redeliveries"] as? [[String: Any]])
        #expect(redeliveries.first?["guid"] as? String == "guid-2")
        await #expect { try await app.redeliverHookDelivery(id: 999_999) } throws: { ($0 as? GitHubError)?.code == .notFound }
    }
}

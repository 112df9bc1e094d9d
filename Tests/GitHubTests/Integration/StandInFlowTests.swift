import Foundation
import GitHub
import Signing
import Testing

/// The client against the GitHub API stand-in over real HTTP (libcurl): every test starts its
/// own stand-in; serialized to keep the machine's load bounded.
@Suite(.serialized) struct StandInTests {
    @Test func installationTokenJITListFindAndDelete() async throws {
        let standIn = try await StandIn.start()
        defer { standIn.stop() }
        let app = try await standIn.app()

        let installation = try await app.installation(owner: "octo-org", repository: "hello")
        #expect(installation.id == 1 && installation.account?.login == "octo-org")
        #expect(try await app.installation(owner: "octo-org").id == 1)

        let scope = RunnerScope.organization("octo-org")
        let request = JITConfigRequest(name: "runway-ec2-ubuntu-42-1", runnerGroupID: 1,
                                       labels: ["self-hosted", "linux", "ec2-ubuntu"], workFolder: "_work")
        let config = try await app.registerJITRunner(request, scope: scope, installationID: installation.id)
        #expect(config.runner.name == request.name)
        // The encoded config is base64 of a JSON map of runner files, as the runner expects.
        let decoded = try #require(Base64.decode(config.encodedJITConfig))
        let files = try #require(try JSONSerialization.jsonObject(with: Data(decoded)) as? [String: String])
        #expect(Set(files.keys) == [".runner", ".credentials", ".credentials_rsaparams"])

        let recorded = try #require((try await standIn.state()["jit_configs"] as? [[String: Any]])?.first)
        #expect(recorded["labels"] as? [String] == request.labels)
        #expect(recorded["runner_group_id"] as? Int == 1 && recorded["work_folder"] as? String == "_work")

        let found = try #require(try await app.runner(named: request.name, scope: scope, installationID: 1))
        #expect(found.id == config.runner.id && !found.busy)
        #expect(try await app.runner(named: "nope", scope: scope, installationID: 1) == nil)
        #expect(try await app.deleteRunner(named: request.name, scope: scope, installationID: 1) == .deleted)
        #expect(try await standIn.runners("orgs/octo-org").isEmpty)
        #expect(try await app.deleteRunner(id: config.runner.id, scope: scope, installationID: 1) == .alreadyGone)
        // One token served every installation call.
        #expect(try await standIn.tokensMinted(1) == 1)
        let budget = await app.rateLimitSnapshots()
        #expect(budget.contains { $0.scope == "installation:1" && $0.remaining < 5000 && $0.limit == 5000 })
    }

    @Test func repositoryAndEnterpriseScopesAndPagination() async throws {
        let standIn = try await StandIn.start(extraArguments: ["--installation", "1:octo-org", "--installation", "9:acme:Enterprise"])
        defer { standIn.stop() }
        let app = try await standIn.app { $0.perPage = 2 }
        for i in 0..<5 {
            _ = try await app.registerJITRunner(JITConfigRequest(name: "r\(i)", labels: ["self-hosted"]),
                                                scope: .repository(owner: "octo-org", name: "hello"), installationID: 1)
        }
        let all = try await app.runners(scope: .repository(owner: "octo-org", name: "hello"), installationID: 1)
        #expect(all.map(\.name) == ["r0", "r1", "r2", "r3", "r4"])
        let page = try await app.runnersPage(scope: .repository(owner: "octo-org", name: "hello"), installationID: 1, page: 3)
        #expect(page.totalCount == 5 && page.runners.map(\.name) == ["r4"] && !page.hasNextPage)
        _ = try await app.registerJITRunner(JITConfigRequest(name: "e1", labels: ["x"]), scope: .enterprise("acme"), installationID: 9)
        #expect(try await standIn.runners("enterprises/acme").count == 1)
    }

    @Test func jwtSignedWithAnotherKeyIsRejected() async throws {
        let standIn = try await StandIn.start()
        defer { standIn.stop() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("runway-other-\(UUID().uuidString).pem")
        defer { try? FileManager.default.removeItem(at: dir) }
        let gen = try await Shell.run("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", dir.path])
        try #require(gen.status == 0)
        let app = try await standIn.app(pem: try String(contentsOf: dir, encoding: .utf8))
        await #expect { try await app.installationToken(for: 1) } throws: { error in
            guard let e = error as? GitHubError else { return false }
            return e.code == .unauthorized && e.status == 401 && e.requestID != nil
        }
    }

    @Test(arguments: [-1200.0, 1200.0])
    func jwtOutsideTheTimeWindowIsRejected(skew: TimeInterval) async throws {
        let standIn = try await StandIn.start()
        defer { standIn.stop() }
        let skewed = GitHubClock(now: { Date().addingTimeInterval(skew) }, sleep: { try await Task.sleep(for: $0) })
        let app = try await standIn.app(clock: skewed)
        await #expect { try await app.installation(owner: "octo-org") } throws: {
            ($0 as? GitHubError)?.code == .unauthorized
        }
    }

    @Test func installationCallsNeedAnInstallationOnThatOwner() async throws {
        let standIn = try await StandIn.start(extraArguments: ["--installation", "1:octo-org", "--installation", "2:other-org"])
        defer { standIn.stop() }
        let app = try await standIn.app()
        await #expect { try await app.runners(scope: .organization("octo-org"), installationID: 2) } throws: {
            ($0 as? GitHubError)?.code == .forbidden
        }
        await #expect { try await app.installationToken(for: 77) } throws: { ($0 as? GitHubError)?.code == .notFound }
        await #expect { try await app.installation(owner: "nobody", repository: "x") } throws: {
            ($0 as? GitHubError)?.code == .notFound
        }
    }

    @Test func expiringTokensAreRefreshedBeforeExpiry() async throws {
        let standIn = try await StandIn.start()
        defer { standIn.stop() }
        // Tokens live 6 s; the client refreshes 3 s early, so it reuses one for about 3 s.
        try await standIn.control("POST", "/_standin/config", ["token_ttl": 6])
        let app = try await standIn.app { $0.tokenRefreshMargin = .seconds(3) }
        _ = try await app.runners(scope: .organization("octo-org"), installationID: 1)
        _ = try await app.runners(scope: .organization("octo-org"), installationID: 1)
        #expect(try await standIn.tokensMinted(1) == 1)
        try await Task.sleep(for: .milliseconds(3300))
        _ = try await app.runners(scope: .organization("octo-org"), installationID: 1)
        #expect(try await standIn.tokensMinted(1) == 2)
    }

    @Test func concurrentCallsMintOneToken() async throws {
        let standIn = try await StandIn.start()
        defer { standIn.stop() }
        let app = try await standIn.app()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<10 {
                group.addTask { _ = try await app.runners(scope: .organization("octo-org"), installationID: 1) }
            }
            try await group.waitForAll()
        }
        #expect(try await standIn.tokensMinted(1) == 1)
    }
}

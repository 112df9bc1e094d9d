import Foundation
import HTTPClient
import GitHub
import Testing

@Suite struct TokenCacheTests {
    /// Answers token requests with a token valid for one hour from the clock's now.
    static func tokenServer(_ clock: ManualClock, delay: Duration = .zero) -> FakeTransport.Handler {
        { request in
            if request.pathOnly.hasSuffix("/access_tokens") {
                if delay > .zero { try await Task.sleep(for: delay) }
                let expires = ISO8601DateFormatter().string(from: clock.now.addingTimeInterval(3600))
                return .json(201, #"{"token":"ghs_\#(UUID().uuidString.prefix(8))","expires_at":"\#(expires)"}"#)
            }
            return .json(200, #"{"total_count":0,"runners":[]}"#)
        }
    }

    @Test func concurrentCallersShareOneMint() async throws {
        let clock = ManualClock()
        let transport = FakeTransport(Self.tokenServer(clock, delay: .milliseconds(50)))
        let app = GitHubApp(credentials: try await TestKeys.credentials(), transport: transport, clock: clock.clock)
        let tokens = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<40 { group.addTask { try await app.installationToken(for: 7).value } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(tokens.count == 1)
        #expect(await transport.count(pathSuffix: "/app/installations/7/access_tokens") == 1)
        // A different installation gets its own token.
        _ = try await app.installationToken(for: 8)
        #expect(await transport.count(pathSuffix: "/access_tokens") == 2)
    }

    @Test func reusesUntilTheRefreshMarginThenRefreshes() async throws {
        let clock = ManualClock()
        let transport = FakeTransport(Self.tokenServer(clock))
        let app = GitHubApp(credentials: try await TestKeys.credentials(), transport: transport, clock: clock.clock)
        let first = try await app.installationToken(for: 7)
        clock.advance(3600 - 301)  // 5 min 1 s before expiry: still good
        #expect(try await app.installationToken(for: 7).value == first.value)
        #expect(await transport.count(pathSuffix: "/access_tokens") == 1)
        clock.advance(2)  // inside the 5-minute margin: refresh
        let second = try await app.installationToken(for: 7)
        #expect(second.value != first.value)
        #expect(await transport.count(pathSuffix: "/access_tokens") == 2)
    }

    @Test func tokenRequestUsesTheAppJWTAndCallsUseTheToken() async throws {
        let clock = ManualClock()
        let transport = FakeTransport(Self.tokenServer(clock))
        let app = GitHubApp(credentials: try await TestKeys.credentials(), transport: transport, clock: clock.clock)
        _ = try await app.runners(scope: .repository(owner: "o", name: "r"), installationID: 7)
        let requests = await transport.requests
        try #require(requests.count == 2)
        #expect(requests[0].method == "POST")
        #expect(requests[0].headers["Authorization"]?.hasPrefix("Bearer eyJ") == true)
        #expect(requests[1].headers["Authorization"]?.hasPrefix("Bearer ghs_") == true)
    }

    @Test func failuresAreNotCachedAndAllWaitersSeeThem() async throws {
        let clock = ManualClock()
        let transport = FakeTransport { _ in .json(401, #"{"message":"A JSON web token could not be decoded"}"#) }
        let app = GitHubApp(credentials: try await TestKeys.credentials(), transport: transport, clock: clock.clock)
        await #expect { try await app.installationToken(for: 7) } throws: { ($0 as? GitHubError)?.code == .unauthorized }
        await transport.setHandler(Self.tokenServer(clock))
        _ = try await app.installationToken(for: 7)
        #expect(await transport.count(pathSuffix: "/access_tokens") == 2)
    }

    /// A token GitHub no longer accepts (revoked) is dropped and minted again once.
    @Test func unauthorizedTokenIsReplacedOnce() async throws {
        let clock = ManualClock()
        let rejected = Counter()
        let transport = FakeTransport { request in
            if request.pathOnly.hasSuffix("/access_tokens") { return try await Self.tokenServer(clock)(request) }
            if await rejected.next() == 0 { return .json(401, #"{"message":"Bad credentials"}"#) }
            return .json(200, #"{"total_count":0,"runners":[]}"#)
        }
        let app = GitHubApp(credentials: try await TestKeys.credentials(), transport: transport, clock: clock.clock)
        _ = try await app.runners(scope: .organization("o"), installationID: 7)
        #expect(await transport.count(pathSuffix: "/access_tokens") == 2)
        let auths = await transport.requests.filter { $0.pathOnly.hasSuffix("/runners") }.compactMap { $0.headers["Authorization"] }
        #expect(auths.count == 2 && auths[0] != auths[1])
    }
}

actor Counter {
    private var value = 0
    func next() -> Int {
        defer { value += 1 }
        return value
    }
}

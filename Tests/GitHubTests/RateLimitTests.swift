import Foundation
import HTTPClient
import GitHub
import Testing

@Suite struct RateLimitTests {
    static let empty = #"{"total_count":0,"runners":[]}"#

    @Test func primaryLimitWaitsForTheResetThenRetries() async throws {
        let calls = Counter()
        let clock = ManualClock()
        let resetAt = clock.now.timeIntervalSince1970 + 5
        let (app, _, _) = try await GitHubAppTests.make({ _ in
            if await calls.next() == 0 {
                return .json(403, #"{"message":"API rate limit exceeded for installation ID 1."}"#,
                             headers: [("X-RateLimit-Remaining", "0"), ("X-RateLimit-Limit", "5000"), ("X-RateLimit-Reset", "\(Int(resetAt))")])
            }
            return .json(200, RateLimitTests.empty, headers: [("X-RateLimit-Remaining", "4999"), ("X-RateLimit-Limit", "5000"), ("X-RateLimit-Reset", "\(Int(resetAt) + 3600)")])
        }, clock: clock)
        _ = try await app.runners(scope: .organization("o"), installationID: 1)
        let waited = clock.sleeps.reduce(Duration.zero, +)
        #expect(waited >= .seconds(5) && waited <= .seconds(7))
        let snapshot = try #require(await app.rateLimitSnapshots().first { $0.scope == "installation:1" })
        #expect(snapshot.remaining == 4999 && snapshot.limit == 5000 && snapshot.resource == "core")
    }

    @Test func longWaitsAreReturnedToTheCallerAndLaterCallsHoldBack() async throws {
        let (app, transport, clock) = try await GitHubAppTests.make { _ in
            .json(429, #"{"message":"You have exceeded a secondary rate limit."}"#, headers: [("Retry-After", "120")])
        }
        await #expect { try await app.runners(scope: .organization("o"), installationID: 1) } throws: { error in
            guard let e = error as? GitHubError else { return false }
            return e.code == .rateLimited && e.retryAfter == .seconds(120) && e.isRetryable
        }
        #expect(clock.sleeps.isEmpty)
        // The next call does not even reach GitHub while the block lasts.
        let before = await transport.requests.count
        await #expect { try await app.runners(scope: .organization("o"), installationID: 1) } throws: {
            ($0 as? GitHubError)?.code == .rateLimited
        }
        #expect(await transport.requests.count == before)
        // Once the time has passed, calls go through again.
        clock.advance(121)
        await transport.setHandler { request in
            request.pathOnly.hasSuffix("/access_tokens") ? .json(201, GitHubAppTests.token) : .json(200, RateLimitTests.empty)
        }
        _ = try await app.runners(scope: .organization("o"), installationID: 1)
    }

    @Test func secondaryLimitWithoutRetryAfterWaitsAMinute() async throws {
        let calls = Counter()
        let (app, _, clock) = try await GitHubAppTests.make({ _ in
            if await calls.next() == 0 {
                return .json(403, #"{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}"#)
            }
            return .json(200, RateLimitTests.empty)
        }, configure: { $0.maxRateLimitWait = .seconds(90) })
        _ = try await app.runners(scope: .organization("o"), installationID: 1)
        #expect(clock.sleeps == [.seconds(60)])
    }

    @Test func permissionDeniedIsNotARateLimit() async throws {
        let (app, transport, _) = try await GitHubAppTests.make { _ in
            .json(403, #"{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest/actions/self-hosted-runners"}"#,
                  headers: [("X-RateLimit-Remaining", "4000")])
        }
        await #expect { try await app.runners(scope: .organization("o"), installationID: 1) } throws: { error in
            guard let e = error as? GitHubError else { return false }
            return e.code == .forbidden && e.retryAfter == nil && !e.isRetryable
        }
        #expect(await transport.count(pathSuffix: "/actions/runners") == 1)
    }

    @Test func serverErrorsAreRetriedOnlyForIdempotentCalls() async throws {
        let (app, transport, clock) = try await GitHubAppTests.make { _ in .json(502, #"{"message":"Server Error"}"#) }
        await #expect { try await app.runners(scope: .organization("o"), installationID: 1) } throws: {
            ($0 as? GitHubError)?.code == .server
        }
        #expect(await transport.count(pathSuffix: "/actions/runners") == 3)
        #expect(clock.sleeps.count == 2)
        await #expect {
            try await app.generateJITConfig(JITConfigRequest(name: "r", labels: ["x"]), scope: .organization("o"), installationID: 1)
        } throws: { ($0 as? GitHubError)?.code == .server }
        #expect(await transport.count(pathSuffix: "/generate-jitconfig") == 1)
    }

    @Test func transportErrorsAreRetriedThenReported() async throws {
        let (app, transport, _) = try await GitHubAppTests.make { _ in
            throw HTTPClientError(code: .timeout, message: "operation timed out")
        }
        await #expect { try await app.runners(scope: .organization("o"), installationID: 1) } throws: { error in
            guard let e = error as? GitHubError else { return false }
            return e.code == .transport && e.isRetryable && e.message.contains("timed out")
        }
        #expect(await transport.count(pathSuffix: "/actions/runners") == 3)
    }

    @Test func truncatedOrWrongBodiesAreMalformedResponses() async throws {
        let (app, _, _) = try await GitHubAppTests.make { _ in .json(200, #"{"total_count":1,"runners":[{"id":1,"na"#) }
        await #expect { try await app.runners(scope: .organization("o"), installationID: 1) } throws: {
            ($0 as? GitHubError)?.code == .malformedResponse
        }
    }

    @Test func jitPacingSpacesRegistrationsAndRefusesLongWaits() async throws {
        let (app, _, clock) = try await GitHubAppTests.make({ _ in
            .json(201, #"{"runner":\#(GitHubAppTests.runnerJSON(id: 1, name: "r")),"encoded_jit_config":"eA=="}"#)
        }, configure: {
            $0.jitRatePerSecond = 2
            $0.jitBurst = 2
            $0.jitMaxWait = .seconds(1)
        })
        let request = JITConfigRequest(name: "r", labels: ["x"])
        for _ in 0..<2 { _ = try await app.generateJITConfig(request, scope: .organization("o"), installationID: 1) }
        #expect(clock.sleeps.isEmpty)
        #expect(await app.jitBudget() < 0.01)
        _ = try await app.generateJITConfig(request, scope: .organization("o"), installationID: 1)
        #expect(clock.sleeps == [.milliseconds(500)])
        clock.advance(1)
        #expect(await app.jitBudget() >= 1.99)
    }

    @Test func jitPacingAnswersRateLimitedWhenTheQueueIsTooLong() async throws {
        let (app, _, _) = try await GitHubAppTests.make({ _ in
            .json(201, #"{"runner":\#(GitHubAppTests.runnerJSON(id: 1, name: "r")),"encoded_jit_config":"eA=="}"#)
        }, configure: {
            $0.jitRatePerSecond = 0.1
            $0.jitBurst = 1
            $0.jitMaxWait = .seconds(1)
        })
        let request = JITConfigRequest(name: "r", labels: ["x"])
        _ = try await app.generateJITConfig(request, scope: .organization("o"), installationID: 1)
        await #expect { try await app.generateJITConfig(request, scope: .organization("o"), installationID: 1) } throws: { error in
            guard let e = error as? GitHubError else { return false }
            return e.code == .rateLimited && e.retryAfter == .seconds(10)
        }
    }
}

import Foundation
import RunwayKit
import Testing
@testable import OrchestratorCore

@Suite struct ConfigTests {
    /// A throwaway RSA key made with the openssl CLI (no key is committed).
    static func privateKeyPEM() async throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("runway-orch-key-\(UUID().uuidString).pem").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "genrsa", "-out", path, "2048"]
        process.standardError = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        try #require(status == 0)
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    func environment(_ extra: [String: String] = [:]) async throws -> [String: String] {
        var env = [
            "RUNWAY_INTERNAL_TOKEN": "0123456789abcdef0123", "RUNWAY_POOLS": "/unused", "GITHUB_APP_ID": "4242",
            "GITHUB_APP_PRIVATE_KEY": try await Self.privateKeyPEM(), "AWS_REGION": "eu-west-1",
        ]
        env.merge(extra) { _, new in new }
        return env
    }

    @Test func servesEveryPoolByDefault() async throws {
        let config = try OrchestratorConfig.load(environment: await environment(), poolsText: testPoolsYAML)
        #expect(config.pools.map(\.name) == ["ec2-ubuntu", "ec2-windows", "eks-ubuntu"])
        #expect(config.retryAttempts == 4)
        #expect(config.retryBudget == .seconds(5))
        #expect(config.common.httpPort == 8080)
        #expect(config.aws.region == "eu-west-1")
    }

    @Test func servesTheNamedPools() async throws {
        let config = try OrchestratorConfig.load(
            environment: await environment(["RUNWAY_ORCHESTRATOR_POOLS": "eks-ubuntu, ec2-windows", "RUNWAY_PROVIDER_RETRY_BUDGET": "2s"]),
            poolsText: testPoolsYAML)
        #expect(config.pools.map(\.name) == ["eks-ubuntu", "ec2-windows"])
        #expect(config.retryBudget == .seconds(2))
    }

    @Test func pacesJITRegistrationsAsConfigured() async throws {
        let defaults = try OrchestratorConfig.load(environment: await environment(), poolsText: testPoolsYAML)
        #expect(defaults.githubClient.jitRatePerSecond == 2.7)
        #expect(defaults.githubClient.jitBurst == 20)
        let lifted = try OrchestratorConfig.load(
            environment: await environment(["RUNWAY_ORCHESTRATOR_JIT_RATE": "500", "RUNWAY_ORCHESTRATOR_JIT_BURST": "1000"]),
            poolsText: testPoolsYAML)
        #expect(lifted.githubClient.jitRatePerSecond == 500)
        #expect(lifted.githubClient.jitBurst == 1000)
        let bad = try await environment(["RUNWAY_ORCHESTRATOR_JIT_RATE": "0", "RUNWAY_ORCHESTRATOR_JIT_BURST": "x"])
        let error = #expect(throws: ConfigError.self) {
            try OrchestratorConfig.load(environment: bad, poolsText: testPoolsYAML)
        }
        #expect(error?.problems.contains { $0.contains("RUNWAY_ORCHESTRATOR_JIT_RATE") } == true)
        #expect(error?.problems.contains { $0.contains("RUNWAY_ORCHESTRATOR_JIT_BURST") } == true)
    }

    @Test func reportsEveryProblemAtOnce() async throws {
        var env = try await environment(["RUNWAY_ORCHESTRATOR_POOLS": "gpu", "RUNWAY_INTERNAL_TOKEN": "short"])
        env["GITHUB_APP_PRIVATE_KEY"] = nil
        env["AWS_REGION"] = nil
        let error = #expect(throws: ConfigError.self) {
            try OrchestratorConfig.load(environment: env, poolsText: testPoolsYAML)
        }
        let problems = error?.problems ?? []
        #expect(problems.contains { $0.contains("RUNWAY_INTERNAL_TOKEN") })
        #expect(problems.contains { $0.contains("no pool named 'gpu'") })
        #expect(problems.contains { $0.contains("GITHUB_APP_PRIVATE_KEY") })
        #expect(problems.contains { $0.contains("AWS_REGION") })
    }
}

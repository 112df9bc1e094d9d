import RunwayTestSupport
import Foundation
import GitHub
import HTTP
import HTTPClient
import Logging
import Signing
import Testing
@testable import OrchestratorCore

/// The real GitHub App client against the GitHub stand-in (`Tests/StandIns/github_standin.py`,
/// which checks the App JWT, installation tokens and runner-name uniqueness), behind the
/// Orchestrator's service with a fake EC2.
@Suite(.serialized) struct GitHubStandInTests {
    final class Env: Sendable {
        let standIn: StandInProcess
        let http = HTTPClient()
        let base: String
        let privatePEM: String
        let source: GitHubJITSource
        let harness: Harness

        init() async throws {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("runway-orch-gh-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let privatePath = dir.appendingPathComponent("app.pem").path
            let publicPath = dir.appendingPathComponent("app.pub.pem").path
            let pem = try await ConfigTests.privateKeyPEM()
            privatePEM = pem
            try pem.write(toFile: privatePath, atomically: true, encoding: .utf8)
            try await Self.openssl(["pkey", "-in", privatePath, "-pubout", "-out", publicPath])
            standIn = try await StandInProcess(
                script: "github_standin.py",
                arguments: ["--app-public-key", publicPath, "--app-id", "4242", "--exit-on-stdin-eof", "--port", "0"])
            let port = try #require(standIn.firstLine.hasPrefix("PORT=") ? Int(standIn.firstLine.dropFirst(5)) : nil)
            base = "http://127.0.0.1:\(port)"
            let credentials = GitHubAppCredentials(issuer: "4242", signer: try RSASigner(pem: pem), apiURL: base)
            var configuration = GitHubApp.Configuration()
            configuration.maxAttempts = 1
            let app = GitHubApp(credentials: credentials, transport: http, configuration: configuration,
                                logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }))
            source = GitHubJITSource(app: app)
            harness = try Harness(github: FakeGitHub(), jit: source)
            try? FileManager.default.removeItem(at: dir)
        }

        static func openssl(_ arguments: [String]) async throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["openssl"] + arguments
            let status: Int32 = try await withCheckedThrowingContinuation { continuation in
                process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
                do { try process.run() } catch { continuation.resume(throwing: error) }
            }
            try #require(status == 0)
        }

        func control(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> Any {
            let data = try body.map { try JSONSerialization.data(withJSONObject: $0) } ?? Data()
            let response = try await http.execute(ClientRequest(
                method: method, url: base + path, headers: ["Content-Type": "application/json"], body: Array(data)))
            try #require((200..<300).contains(response.status))
            return try JSONSerialization.jsonObject(with: Data(response.body), options: [.fragmentsAllowed])
        }

        func runners() async throws -> [[String: Any]] {
            let state = try #require(try await control("GET", "/_standin/state") as? [String: Any])
            let scopes = try #require(state["runners"] as? [String: Any])
            return scopes.values.compactMap { $0 as? [[String: Any]] }.flatMap { $0 }
        }

        deinit { http.shutdown() }
    }

    static let request = LaunchRequest(
        runnerName: "runway-ec2-ubuntu-31-1", pool: "ec2-ubuntu", jobID: 31, labels: ["self-hosted"], owner: "octo-org",
        repository: "octo-org/app", installationID: 1)

    @Test func launchRegistersTheRunnerAndTearDownRemovesIt() async throws {
        let env = try await Env()
        let answer = try await env.harness.service.launch(Self.request)
        #expect(answer.runnerName == "runway-ec2-ubuntu-31-1")
        let registered = try await env.runners()
        #expect(registered.count == 1)
        #expect(registered.first?["name"] as? String == "runway-ec2-ubuntu-31-1")
        #expect((registered.first?["labels"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
            == ["self-hosted", "linux", "ubuntu-runner", "x64"])
        #expect(registered.first?["runner_group_id"] as? Int == 3)
        // The config the stand-in issued is the one in the user data.
        let state = try #require(try await env.control("GET", "/_standin/state") as? [String: Any])
        let issued = try #require((state["jit_configs"] as? [[String: Any]])?.first?["encoded_jit_config"] as? String)
        #expect(try #require(env.harness.ec2.runRequests.first).userData.contains("ACTIONS_RUNNER_INPUT_JITCONFIG='\(issued)'"))

        let result = try await env.harness.service.tearDown(runnerName: answer.runnerName, jobFinished: false)
        #expect(result == .init(removedFromProvider: true, removedRegistration: true))
        #expect(try await env.runners().isEmpty)
    }

    @Test func aBusyRunnerIsNotTornDownUntilTheJobIsFinished() async throws {
        let env = try await Env()
        _ = try await env.harness.service.launch(Self.request)
        let id = try #require(try await env.runners().first?["id"] as? Int)
        _ = try await env.control("POST", "/_standin/runners/\(id)", ["busy": true, "status": "online"])
        await #expect(throws: OrchestratorError(.busy, code: "runner_busy", message: "GitHub reports runner 'runway-ec2-ubuntu-31-1' busy")) {
            try await env.harness.service.tearDown(runnerName: "runway-ec2-ubuntu-31-1", jobFinished: false)
        }
        #expect(env.harness.ec2.terminateCalls.isEmpty)
        #expect(try await env.runners().count == 1)
        _ = try await env.control("POST", "/_standin/runners/\(id)", ["busy": false, "status": "offline"])
        let result = try await env.harness.service.tearDown(runnerName: "runway-ec2-ubuntu-31-1", jobFinished: true)
        #expect(result.removedRegistration)
    }

    @Test func githubDownIs503AndNothingIsLaunched() async throws {
        let env = try await Env()
        _ = try await env.control("POST", "/_standin/faults", ["match": ["path": "generate-jitconfig"], "status": 503, "times": 3])
        let error = await #expect(throws: OrchestratorError.self) { try await env.harness.service.launch(Self.request) }
        #expect(error?.status == 503)
        #expect(error?.code == "github_unavailable")
        #expect(env.harness.ec2.runRequests.isEmpty)
    }

    @Test func aLeftoverIdleRegistrationIsReplacedOnRelaunch() async throws {
        let env = try await Env()
        // A launch that registered and then crashed before reaching EC2.
        _ = try await env.control("POST", "/_standin/runners", ["scope": "orgs/octo-org", "name": "runway-ec2-ubuntu-31-1", "busy": false, "status": "offline"])
        _ = try await env.harness.service.launch(Self.request)
        #expect(try await env.runners().count == 1)
        #expect(env.harness.ec2.runRequests.count == 1)
    }
}

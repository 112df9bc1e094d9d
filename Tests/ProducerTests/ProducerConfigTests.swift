import Foundation
import Testing
@testable import ProducerCore

@Suite struct ProducerConfigTests {
    private let base: [String: String]

    init() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pools-\(UUID().uuidString).yaml").path
        try """
            pools:
              - {name: p, host: eks, os: ubuntu, labels: [x], orchestrator_url: "http://127.0.0.1:9", eks: {cluster: c}}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        base = ["DATABASE_URL": "postgres://localhost/runway", "GITHUB_WEBHOOK_SECRET": "s3cret-webhook", "RUNWAY_POOLS": path]
    }

    private func problems(_ extra: [String: String]) -> [String] {
        do {
            _ = try ProducerConfig.load(environment: base.merging(extra) { _, new in new })
            return []
        } catch {
            return error.problems
        }
    }

    @Test func anEmptyAppIDMeansNoAppAsComposePassesIt() throws {
        let config = try ProducerConfig.load(environment: base.merging(["GITHUB_APP_ID": "", "GITHUB_APP_CLIENT_ID": ""]) { _, new in new })
        #expect(config.githubApp == nil)
        #expect(config.redeliveryInterval == nil, "no App, no redelivery sweep")
    }

    @Test func durationsThatWouldSpinAreRefused() {
        let found = problems(["RUNWAY_REDELIVERY_INTERVAL": "0s", "RUNWAY_NOTIFY_TIMEOUT": "0"])
        #expect(found.contains { $0.contains("RUNWAY_REDELIVERY_INTERVAL") })
        #expect(found.contains { $0.contains("RUNWAY_NOTIFY_TIMEOUT") })
        #expect(problems(["RUNWAY_REDELIVERY_INTERVAL": "500ms"]).isEmpty)
    }
}

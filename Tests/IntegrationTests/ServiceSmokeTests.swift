import Foundation
import HTTP
import HTTPClient
import Testing

/// Each service binary starts, answers `/healthz`, `/readyz` and `/metrics`, and exits 0 on SIGTERM.
@Suite(.serialized) struct ServiceSmokeTests {
    static let token = "smoke-internal-token-0123456789"

    static func pools() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("smoke-pools-\(UUID().uuidString).yaml").path
        try """
            pools:
              - {name: ec2-ubuntu, host: ec2, os: ubuntu, labels: [smoke], orchestrator_url: "http://127.0.0.1:9",
                 ec2: {image_id: ami-1, instance_types: [t3.micro], subnet_ids: [subnet-1]}}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func expectServes(_ service: ServiceProcess) async throws {
        let client = HTTPClient()
        defer { client.shutdown() }
        #expect(try await client.execute(ClientRequest(url: service.url + "/healthz")).status == 200)
        let ready = try await client.execute(ClientRequest(url: service.url + "/readyz"))
        #expect(ready.status == 200, "\(service.name) /readyz: \(ready.text)\n\(service.logs.suffix(1500))")
        let metrics = try await client.execute(ClientRequest(url: service.url + "/metrics"))
        #expect(metrics.status == 200)
        #expect(metrics.text.contains("process_cpu_seconds_total"))
        #expect(await service.stop(signal: SIGTERM) == 0)
    }

    @Test func publisher() async throws {
        let service = try await ServiceProcess("publisher", environment: [
            "DATABASE_URL": try await TestEnvironment.freshDatabase(), "RUNWAY_POOLS": try Self.pools(),
            "RUNWAY_INTERNAL_TOKEN": Self.token, "RUNWAY_MIGRATE": "1",
        ])
        try await Self.expectServes(service)
    }

    @Test func orchestrator() async throws {
        let key = FileManager.default.temporaryDirectory.appendingPathComponent("smoke-\(UUID().uuidString).pem").path
        defer { try? FileManager.default.removeItem(atPath: key) }
        #expect(try await Command.run("/usr/bin/openssl", ["genrsa", "-out", key, "2048"]) == 0)
        let service = try await ServiceProcess("orchestrator", environment: [
            "RUNWAY_POOLS": try Self.pools(), "RUNWAY_INTERNAL_TOKEN": Self.token,
            "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": try TestEnvironment.value("RUNWAY_TEST_MOTO_URL"),
            "AWS_ACCESS_KEY_ID": try TestEnvironment.value("RUNWAY_TEST_AWS_ACCESS_KEY_ID"),
            "AWS_SECRET_ACCESS_KEY": try TestEnvironment.value("RUNWAY_TEST_AWS_SECRET_ACCESS_KEY"),
            "GITHUB_APP_ID": "4242", "GITHUB_APP_PRIVATE_KEY_FILE": key, "GITHUB_API_URL": "http://127.0.0.1:9",
        ])
        try await Self.expectServes(service)
    }
}

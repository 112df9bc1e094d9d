import Foundation
import HTTP
import HTTPClient
import Testing
@testable import OrchestratorCore

/// The `orchestrator` executable as a process: moto (test-env, signature checking on) for AWS, the
/// GitHub stand-in for the App; config from the environment, port 0 read back from a file.
@Suite(.serialized) struct ProcessTests {
    static var binary: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/orchestrator").path
    }

    @Test func servesLaunchListTearDownAndReadinessThenStopsOnSIGTERM() async throws {
        let github = try await GitHubStandInTests.Env()
        let moto = try MotoEC2()
        let motoURL = moto.url
        defer { moto.transport.shutdown() }
        let pool = try await moto.pool(os: .ubuntu, name: "proc-ubuntu", instanceTypes: ["t3.micro"], spot: false, profile: nil)
        let settings = try #require(pool.ec2)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("runway-orch-proc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let poolsPath = dir.appendingPathComponent("pools.yaml").path
        try """
            pools:
              - name: proc-ubuntu
                host: ec2
                os: ubuntu
                labels: [moto]
                orchestrator_url: http://127.0.0.1:1
                ec2:
                  image_id: \(settings.imageID)
                  instance_types: [t3.micro]
                  subnet_ids: [\(settings.subnetIDs[0])]
                  security_group_ids: [\(settings.securityGroupIDs[0])]
              - name: other
                host: ec2
                os: ubuntu
                labels: [other]
                orchestrator_url: http://127.0.0.1:1
                ec2: {image_id: ami-1, instance_types: [t3.micro], subnet_ids: [subnet-1], security_group_ids: [sg-1]}
            """.write(toFile: poolsPath, atomically: true, encoding: .utf8)
        let portFile = dir.appendingPathComponent("port").path
        let token = "process-test-token-0123456789"

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HTTP_HOST": "127.0.0.1", "HTTP_PORT": "0", "RUNWAY_PORT_FILE": portFile,
            "RUNWAY_POOLS": poolsPath, "RUNWAY_ORCHESTRATOR_POOLS": "proc-ubuntu", "RUNWAY_INTERNAL_TOKEN": token,
            "LOG_LEVEL": "warning", "GITHUB_APP_ID": "4242", "GITHUB_APP_PRIVATE_KEY": github.privatePEM, "GITHUB_API_URL": github.base,
            "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": motoURL,
            "AWS_ACCESS_KEY_ID": moto.credentials.accessKeyId,
            "AWS_SECRET_ACCESS_KEY": moto.credentials.secretAccessKey,
        ]
        process.standardError = FileHandle.nullDevice
        let exited = AsyncStream<Int32> { continuation in
            process.terminationHandler = { continuation.yield($0.terminationStatus); continuation.finish() }
        }
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        var port: Int?
        for _ in 0..<100 where port == nil {
            try await Task.sleep(for: .milliseconds(100))
            port = (try? String(contentsOfFile: portFile, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        let base = "http://127.0.0.1:\(try #require(port, "the orchestrator did not start"))"
        let client = HTTPClient()
        defer { client.shutdown() }
        let auth: HTTPHeaders = ["Authorization": "Bearer \(token)", "Content-Type": "application/json"]

        #expect(try await client.execute(ClientRequest(url: base + "/readyz")).status == 200)
        let job = Int64.random(in: 1...Int64(Int32.max))
        let body = #"{"runner_name":"runway-proc-ubuntu-\#(job)-1","pool":"proc-ubuntu","job_id":\#(job),"labels":["moto"],"owner":"octo-org","installation_id":1}"#
        let launched = try await client.execute(ClientRequest(method: "POST", url: base + "/v1/runners", headers: auth, body: Array(body.utf8)))
        #expect(launched.status == 201)
        let again = try await client.execute(ClientRequest(method: "POST", url: base + "/v1/runners", headers: auth, body: Array(body.utf8)))
        #expect(again.body == launched.body)
        // A pool of the file that this process does not serve.
        let other = body.replacingOccurrences(of: "proc-ubuntu", with: "other")
        #expect(try await client.execute(ClientRequest(method: "POST", url: base + "/v1/runners", headers: auth, body: Array(other.utf8))).status == 404)

        let listed = try await client.execute(ClientRequest(url: base + "/v1/runners?pool=proc-ubuntu", headers: auth))
        #expect(listed.text.contains("runway-proc-ubuntu-\(job)-1"))
        #expect(try await github.runners().contains { $0["name"] as? String == "runway-proc-ubuntu-\(job)-1" })

        let deleted = try await client.execute(ClientRequest(method: "DELETE", url: base + "/v1/runners/runway-proc-ubuntu-\(job)-1", headers: auth))
        #expect(deleted.status == 202)
        #expect(try await github.runners().isEmpty)
        let metrics = try await client.execute(ClientRequest(url: base + "/metrics"))
        #expect(metrics.text.contains(#"runway_orchestrator_launches_total{pool="proc-ubuntu"} 1"#))

        process.interrupt()
        var status: Int32?
        for await code in exited { status = code }
        #expect(status == 0)
    }
}

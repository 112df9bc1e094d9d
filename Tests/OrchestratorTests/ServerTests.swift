import Foundation
import HTTP
import HTTPClient
import Logging
import RunwayKit
import Testing
@testable import OrchestratorCore

/// The routes behind the real epoll server, called over loopback with the libcurl client.
@Suite struct ServerTests {
    @Test func theRunnerAPIAndReadinessAnswerOverHTTP() async throws {
        let h = try Harness()
        let logger = Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() })
        let api = OrchestratorAPI(service: h.service, token: APITests.token, logger: logger)
        let down = ReadinessCheck(name: "sts") { "AuthFailure" }
        let router = OrchestratorRoutes.router(api: api, metrics: MetricsRegistry(), checks: [down])
        var config = HTTPServerConfiguration()
        config.host = "127.0.0.1"
        config.port = 0
        let server = HTTPServer(configuration: config, router: router, logger: logger)
        let port = try server.start()
        let client = HTTPClient()
        defer { client.shutdown() }
        let base = "http://127.0.0.1:\(port)"
        let auth: HTTPHeaders = ["Authorization": "Bearer \(APITests.token)", "Content-Type": "application/json"]

        let launched = try await client.execute(ClientRequest(
            method: "POST", url: base + "/v1/runners", headers: auth, body: Array(APITests.launchBody.utf8)))
        #expect(launched.status == 201)
        #expect(launched.text.contains(#""provider_id":"i-00000000000000001""#))

        let listed = try await client.execute(ClientRequest(url: base + "/v1/runners?pool=ec2-ubuntu", headers: auth))
        #expect(listed.status == 200)
        #expect(listed.text.contains("runway-ec2-ubuntu-7-1"))

        let deleted = try await client.execute(ClientRequest(method: "DELETE", url: base + "/v1/runners/runway-ec2-ubuntu-7-1", headers: auth))
        #expect(deleted.status == 202)
        #expect(h.ec2.terminateCalls.count == 1)

        let unauthorised = try await client.execute(ClientRequest(url: base + "/v1/runners"))
        #expect(unauthorised.status == 401)

        let ready = try await client.execute(ClientRequest(url: base + "/readyz"))
        #expect(ready.status == 503)
        #expect(ready.text.contains("sts: AuthFailure"))
        await server.shutdown()
    }
}

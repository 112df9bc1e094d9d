import Foundation
import HTTP
import Logging
import Testing
@testable import OrchestratorCore

@Suite struct APITests {
    static let token = "test-internal-token-0123456789"

    func api(_ h: Harness) -> OrchestratorAPI {
        OrchestratorAPI(service: h.service, token: Self.token, logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    func post(_ body: String, token: String? = APITests.token) -> HTTPRequest {
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        if let token { headers.set("Authorization", "Bearer \(token)") }
        return HTTPRequest(method: "POST", target: "/v1/runners", headers: headers, body: Array(body.utf8))
    }

    func call(_ method: String, _ target: String, name: String? = nil) -> HTTPRequest {
        HTTPRequest(
            method: method, target: target, headers: ["Authorization": "Bearer \(Self.token)"],
            pathParameters: name.map { ["name": $0] } ?? [:])
    }

    func json(_ response: HTTPResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    static let launchBody = """
        {"runner_name":"runway-ec2-ubuntu-7-1","pool":"ec2-ubuntu","job_id":7,"labels":["self-hosted","linux"],\
        "owner":"octo-org","repository":"octo-org/app","installation_id":77}
        """

    @Test func launchAnswers201AndTheSameAnswerWhenRepeated() async throws {
        let h = try Harness()
        let first = await api(h).launch(post(Self.launchBody))
        #expect(first.status == 201)
        let body = try json(first)
        #expect(body["runner_name"] as? String == "runway-ec2-ubuntu-7-1")
        #expect(body["provider_id"] as? String == "i-00000000000000001")
        let second = await api(h).launch(post(Self.launchBody))
        #expect(second.status == 201)
        #expect(second.body == first.body)
        #expect(h.ec2.runRequests.count == 1)
        let metrics = h.service.metrics.render()
        #expect(metrics.contains(#"runway_orchestrator_launch_requests_total{outcome="ok",pool="ec2-ubuntu"} 2"#))
        #expect(metrics.contains(#"runway_orchestrator_launches_total{pool="ec2-ubuntu"} 1"#))
    }

    @Test func everyEndpointNeedsTheInternalToken() async throws {
        let h = try Harness()
        let a = api(h)
        #expect(await a.launch(post(Self.launchBody, token: nil)).status == 401)
        #expect(await a.launch(post(Self.launchBody, token: "wrong-token-wrong-token")).status == 401)
        var delete = call("DELETE", "/v1/runners/runway-ec2-ubuntu-7-1", name: "runway-ec2-ubuntu-7-1")
        delete.headers = HTTPHeaders()
        #expect(await a.tearDown(delete).status == 401)
        var list = call("GET", "/v1/runners?pool=ec2-ubuntu")
        list.headers = HTTPHeaders()
        #expect(await a.list(list).status == 401)
        #expect(h.ec2.runRequests.isEmpty)
    }

    @Test(arguments: [
        ("not json", 400, "invalid_json"),
        (#"{"pool":"ec2-ubuntu"}"#, 400, "invalid_body"),
        (#"{"runner_name":"x","pool":"ec2-ubuntu","job_id":"7","labels":[],"owner":"o","installation_id":1}"#, 400, "invalid_body"),
        (#"{"runner_name":"runway-ec2-ubuntu-7-1","pool":"gpu","job_id":7,"labels":[],"owner":"o","installation_id":1}"#, 404, "unknown_pool"),
        (#"{"runner_name":"runway-eks-ubuntu-7-1","pool":"ec2-ubuntu","job_id":7,"labels":[],"owner":"o","installation_id":1}"#, 400, "invalid_body"),
        (#"{"runner_name":"runway-ec2-windows-7-1","pool":"ec2-windows","job_id":7,"labels":[],"owner":"o","installation_id":1}"#, 400, "invalid_body"),
    ])
    func badLaunchesAreRefusedWithoutLaunching(body: String, status: Int, code: String) async throws {
        let h = try Harness()
        let response = await api(h).launch(post(body))
        #expect(response.status == status)
        let error = try #require(try json(response)["error"] as? [String: Any])
        #expect(error["code"] as? String == code)
        #expect(h.ec2.runRequests.isEmpty)
        #expect(h.github.generatedCount == 0)
    }

    @Test func throttlingAnswers503WithRetryAfterAndPermanentErrors422WithTheAWSCode() async throws {
        let ec2 = FakeEC2()
        ec2.state.withLock { $0.runErrors = Array(repeating: EC2CallError(code: "RequestLimitExceeded", message: "x", httpStatus: 503), count: 9) }
        let h = try Harness(ec2: ec2)
        let throttled = await api(h).launch(post(Self.launchBody))
        #expect(throttled.status == 503)
        #expect(throttled.headers["Retry-After"] == "10")

        ec2.state.withLock { $0.runErrors = [EC2CallError(code: "InvalidAMIID.Malformed", message: "bad image", httpStatus: 400)] }
        let refused = await api(h).launch(post(Self.launchBody))
        #expect(refused.status == 422)
        #expect((try json(refused)["error"] as? [String: Any])?["code"] as? String == "InvalidAMIID.Malformed")
    }

    @Test func tearDownAnswers202EvenWhenNothingIsLeft() async throws {
        let h = try Harness()
        _ = await api(h).launch(post(Self.launchBody))
        let name = "runway-ec2-ubuntu-7-1"
        let first = await api(h).tearDown(call("DELETE", "/v1/runners/\(name)", name: name))
        #expect(first.status == 202)
        #expect(try json(first)["removed_from_provider"] as? Bool == true)
        #expect(try json(first)["removed_registration"] as? Bool == true)
        let again = await api(h).tearDown(call("DELETE", "/v1/runners/\(name)?job_finished=true", name: name))
        #expect(again.status == 202)
        #expect(try json(again)["removed_from_provider"] as? Bool == false)
    }

    @Test func tearDownOfABusyRunnerNeedsJobFinished() async throws {
        let h = try Harness()
        _ = await api(h).launch(post(Self.launchBody))
        let name = "runway-ec2-ubuntu-7-1"
        h.github.setBusy(name)
        #expect(await api(h).tearDown(call("DELETE", "/v1/runners/\(name)", name: name)).status == 409)
        #expect(await api(h).tearDown(call("DELETE", "/v1/runners/\(name)?job_finished=true", name: name)).status == 202)
    }

    @Test func tearDownUsesTheQueryTargetForAGhostRegistration() async throws {
        let h = try Harness()
        let name = "runway-ec2-ubuntu-8-1"
        h.github.register(name, id: 55)
        let response = await api(h).tearDown(call("DELETE", "/v1/runners/\(name)?owner=octo-org&installation_id=77", name: name))
        #expect(response.status == 202)
        #expect(h.github.deleted == [55])
        let bad = await api(h).tearDown(call("DELETE", "/v1/runners/\(name)?owner=octo-org", name: name))
        #expect(bad.status == 400)
    }

    @Test func listAnswersRunnersWithStateAndLaunchTime() async throws {
        let h = try Harness()
        _ = await api(h).launch(post(Self.launchBody))
        let response = await api(h).list(call("GET", "/v1/runners?pool=ec2-ubuntu"))
        #expect(response.status == 200)
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(text == """
            {"runners":[{"launched_at":"2027-01-15T08:00:01Z","pool":"ec2-ubuntu","provider_id":"i-00000000000000001",\
            "runner_name":"runway-ec2-ubuntu-7-1","state":"pending"}]}
            """)
        #expect(await api(h).list(call("GET", "/v1/runners?pool=gpu")).status == 404)
    }
}

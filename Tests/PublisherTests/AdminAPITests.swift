import Foundation
import HTTP
import Testing
@testable import PublisherCore

@Suite struct AdminAPITests {
    let token = "internal-token-0123456789"

    func api(_ store: FakeStore, notified: Tally = Tally()) -> AdminAPI {
        AdminAPI(
            store: store, pools: [PoolLimits(name: "ec2", orchestratorURL: "http://o", maxRunners: 4, launchRate: 2)], token: token,
            onNotify: { _ in notified.add() })
    }

    func request(_ method: String, _ target: String, body: String = "", token: String? = nil, id: String? = nil) -> HTTPRequest {
        var headers = HTTPHeaders()
        if let token { headers.add("Authorization", "Bearer \(token)") }
        var request = HTTPRequest(method: method, target: target, headers: headers, body: Array(body.utf8))
        if let id { request.pathParameters["id"] = id }
        return request
    }

    func json(_ response: HTTPResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
    }

    @Test func everyEndpointNeedsTheInternalToken() async {
        let api = api(FakeStore(clock: ManualClock()))
        for (handler, req) in [
            (api.notify, request("POST", "/v1/notify")), (api.listJobs, request("GET", "/v1/jobs", token: "wrong-token-0123456789")),
            (api.getJob, request("GET", "/v1/jobs/1", id: "1")), (api.listPools, request("GET", "/v1/pools")),
        ] {
            await #expect(throws: HTTPError.unauthorized) { try await handler(req) }
        }
    }

    @Test func notifyAnswers202AndWakesTheDispatcher() async throws {
        let notified = Tally()
        let api = api(FakeStore(clock: ManualClock()), notified: notified)
        #expect(try await api.notify(request("POST", "/v1/notify", body: #"{"reason":"queued","job_id":5}"#, token: token)).status == 202)
        #expect(try await api.notify(request("POST", "/v1/notify", token: token)).status == 202)
        #expect(notified.count == 2)
        await #expect(throws: HTTPError.self) { try await api.notify(request("POST", "/v1/notify", body: "{", token: token)) }
    }

    @Test func jobsAreListedFilteredAndFetched() async throws {
        let store = FakeStore(clock: ManualClock())
        store.add(1, pool: "ec2")
        store.add(2, pool: "ec2")
        store.add(3, pool: "eks")
        store.state.withLock { $0.jobs[2]?.state = "failed"; $0.jobs[2]?.lastError = "orchestrator 422 invalid: bad" }
        let api = api(store)
        let all = json(try await api.listJobs(request("GET", "/v1/jobs", token: token)))["jobs"] as? [[String: Any]]
        #expect(all?.map { $0["id"] as? Int } == [3, 2, 1])
        let failed = json(try await api.listJobs(request("GET", "/v1/jobs?state=failed&pool=ec2&limit=5", token: token)))["jobs"] as? [[String: Any]]
        #expect(failed?.count == 1)
        #expect(failed?.first?["last_error"] as? String == "orchestrator 422 invalid: bad")
        #expect(failed?.first?.keys.contains("completed_at") == true)
        let one = try await api.getJob(request("GET", "/v1/jobs/2", token: token, id: "2"))
        #expect(json(one)["dispatch_state"] as? String == "failed")
        await #expect(throws: HTTPError.notFound("no job 9")) { try await api.getJob(request("GET", "/v1/jobs/9", token: token, id: "9")) }
        for bad in ["/v1/jobs?state=bogus", "/v1/jobs?limit=0", "/v1/jobs?limit=5000"] {
            await #expect(throws: HTTPError.self) { try await api.listJobs(request("GET", bad, token: token)) }
        }
    }

    @Test func poolsShowCountsAndLimits() async throws {
        let store = FakeStore(clock: ManualClock())
        store.add(1, pool: "ec2")
        store.add(2, pool: "ec2")
        store.state.withLock { $0.jobs[2]?.state = "launched" }
        let pools = json(try await api(store).listPools(request("GET", "/v1/pools", token: token)))["pools"] as? [[String: Any]]
        #expect(pools?.count == 1)
        #expect(pools?.first?["name"] as? String == "ec2")
        #expect(pools?.first?["pending"] as? Int == 1)
        #expect(pools?.first?["active"] as? Int == 1)
        #expect(pools?.first?["max_runners"] as? Int == 4)
        #expect(pools?.first?["launch_rate"] as? Double == 2)
    }

    @Test func aStoreOutageIs503() async {
        final class Down: DispatchStore, Sendable {
            func claim(pool: String, limit: Int, leaseOwner: String, lease: Duration) async throws -> [DispatchJob] { throw FakeError.down }
            func markLaunched(_ job: DispatchJob, leaseOwner: String, runnerName: String, providerID: String) async throws -> Bool { throw FakeError.down }
            func release(_ job: DispatchJob, leaseOwner: String, retryAfter: Duration, error: String, permanent: Bool, countsAttempt: Bool, maxAttempts: Int) async throws -> ReleaseResult { throw FakeError.down }
            func activeRunnerCount(pool: String) async throws -> Int { throw FakeError.down }
            func pendingCount(pool: String) async throws -> Int { throw FakeError.down }
            func rescueExpiredLeases() async throws -> Int { throw FakeError.down }
            func snapshot(pool: String) async throws -> PoolSnapshot { throw FakeError.down }
            func requeue(jobID: Int64, reason: String, maxAttempts: Int) async throws -> ReleaseResult { throw FakeError.down }
            func runnersToTearDown(limit: Int) async throws -> [RunnerRecord] { throw FakeError.down }
            func markRunnerGone(name: String) async throws { throw FakeError.down }
            func strayJobs(knownPools: [String], limit: Int) async throws -> [StrayJob] { throw FakeError.down }
            func reroute(jobID: Int64, pool: String?, reason: String) async throws { throw FakeError.down }
            func jobs(state: String?, pool: String?, limit: Int) async throws -> [JobView] { throw FakeError.down }
            func job(id: Int64) async throws -> JobView? { throw FakeError.down }
        }
        let api = AdminAPI(store: Down(), pools: [], token: token, onNotify: { _ in })
        do {
            _ = try await api.listJobs(request("GET", "/v1/jobs", token: token))
            Issue.record("expected a 503")
        } catch let error as HTTPError {
            #expect(error.status == 503)
            #expect(!error.message.contains("down"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}

import Foundation
import GitHub
import HTTP
import HTTPClient
import Testing

/// The stand-in itself refuses what GitHub refuses (so the client tests above mean something).
extension StandInTests {
    @Test func standInRefusesWhatGitHubRefuses() async throws {
        let standIn = try await StandIn.start()
        defer { standIn.stop() }
        let app = try await standIn.app()
        let token = try await app.installationToken(for: 1).value
        let url = standIn.apiURL + "/orgs/octo-org/actions/runners"
        func call(_ url: String, _ headers: HTTPHeaders, method: String = "GET", body: String = "") async throws -> Int {
            try await standIn.http.execute(ClientRequest(method: method, url: url, headers: headers, body: Array(body.utf8))).status
        }
        let good: HTTPHeaders = ["User-Agent": "t", "Authorization": "Bearer " + token, "X-GitHub-Api-Version": "2022-11-28"]
        #expect(try await call(url, good) == 200)
        var noAgent = good
        noAgent.remove("User-Agent")
        // libcurl adds its own User-Agent unless told otherwise; an empty value removes it.
        noAgent.set("User-Agent", "")
        #expect(try await call(url, noAgent) == 403)
        var badVersion = good
        badVersion.set("X-GitHub-Api-Version", "1999-01-01")
        #expect(try await call(url, badVersion) == 400)
        #expect(try await call(url, ["User-Agent": "t"]) == 401)
        #expect(try await call(url, ["User-Agent": "t", "Authorization": "Bearer ghs_made_up"]) == 401)
        // An installation token is not a JWT.
        #expect(try await call(standIn.apiURL + "/app/hook/deliveries", good) == 401)
        // generate-jitconfig validates its body like GitHub (422).
        let jit = url + "/generate-jitconfig"
        #expect(try await call(jit, good, method: "POST", body: #"{"name":"x","labels":["a"]}"#) == 422)
        #expect(try await call(jit, good, method: "POST", body: #"{"name":"x","runner_group_id":1,"labels":[]}"#) == 422)
        #expect(try await call(jit, good, method: "POST", body: #"{"name":"x","runner_group_id":1,"labels":["a"]}"#) == 201)
        #expect(try await call(jit, good, method: "POST", body: #"{"name":"x","runner_group_id":1,"labels":["a"]}"#) == 409)
    }
}

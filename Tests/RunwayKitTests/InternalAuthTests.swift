import HTTP
import RunwayKit
import Testing

@Suite struct InternalAuthTests {
    private func request(_ auth: String?) -> HTTPRequest {
        var headers = HTTPHeaders()
        if let auth { headers.add("authorization", auth) }
        return HTTPRequest(method: "POST", target: "/v1/notify", headers: headers)
    }

    @Test func acceptsTheRightBearerToken() throws {
        try InternalAuth.check(request("Bearer token-0123456789abcdef"), token: "token-0123456789abcdef")
        try InternalAuth.check(request("bearer token-0123456789abcdef"), token: "token-0123456789abcdef")
    }

    @Test(arguments: [nil, "Bearer wrong", "token-0123456789abcdef", "Bearer ", "Basic dG9rZW4=", "Bearer token-0123456789abcdeF"])
    func refusesAnythingElse(_ auth: String?) {
        #expect(throws: HTTPError.unauthorized) { try InternalAuth.check(request(auth), token: "token-0123456789abcdef") }
    }

    @Test func refusesEverythingWithoutAConfiguredToken() {
        #expect(throws: HTTPError.unauthorized) { try InternalAuth.check(request("Bearer x"), token: nil) }
    }
}

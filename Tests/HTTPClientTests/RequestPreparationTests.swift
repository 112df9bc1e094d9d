import HTTP
import Testing

@testable import HTTPClient

@Suite struct RequestPreparationTests {
    private func prepare(_ request: ClientRequest, trace: TraceContext? = nil) throws -> PreparedRequest {
        try PreparedRequest(request, userAgent: "ua/1", trace: trace, maxResponseBodyBytes: 100)
    }

    @Test func addsUserAgentAndTraceparentOnlyWhenAbsent() throws {
        let trace = TraceContext.newRoot()
        let plain = try prepare(ClientRequest(url: "http://h/x"), trace: trace)
        #expect(plain.headerLines.contains("User-Agent: ua/1"))
        #expect(plain.headerLines.contains("traceparent: \(trace.traceparent)"))

        let own = try prepare(
            ClientRequest(url: "http://h/x", headers: ["user-agent": "mine", "Traceparent": "given"]), trace: trace)
        #expect(!own.headerLines.contains { $0.hasPrefix("User-Agent:") })
        #expect(!own.headerLines.contains { $0.hasPrefix("traceparent:") })
        #expect(own.headerLines.contains("user-agent: mine"))

        let untraced = try prepare(ClientRequest(url: "http://h/x"))
        #expect(!untraced.headerLines.contains { $0.lowercased().hasPrefix("traceparent") })
    }

    @Test func emptyValuesUseCurlsSemicolonForm() throws {
        let prepared = try prepare(ClientRequest(url: "http://h/", headers: ["X-Empty": ""]))
        #expect(prepared.headerLines.contains("X-Empty;"))
    }

    @Test func postAlwaysSendsABodyAndSuppressesCurlsFormContentType() throws {
        let post = try prepare(ClientRequest(method: "POST", url: "http://h/"))
        #expect(post.sendsBody)
        #expect(post.headerLines.contains("Content-Type:"))
        let json = try prepare(ClientRequest(method: "POST", url: "http://h/", headers: ["Content-Type": "application/json"]))
        #expect(!json.headerLines.contains("Content-Type:"))
        #expect(try !prepare(ClientRequest(url: "http://h/")).sendsBody)
    }

    @Test(arguments: ["X-Bad: a\r\nInjected: 1", "a\nb", "nul\u{0}"])
    func headerInjectionIsRefusedWithoutEchoingTheValue(_ value: String) {
        #expect {
            try prepare(ClientRequest(url: "http://h/", headers: ["X-Token": value]))
        } throws: { error in
            let error = error as? HTTPClientError
            return error?.code == .other && error?.message.contains(value) == false && error?.message.contains("X-Token") == true
        }
    }

    @Test(arguments: ["ftp://h/", "h/path", "http://h/a b", "http://h/\r\n", "file:///etc/passwd", ""])
    func nonHTTPURLsAreRefused(_ url: String) {
        #expect(throws: HTTPClientError.self) { try prepare(ClientRequest(url: url)) }
    }

    @Test func invalidMethodIsRefused() {
        #expect(throws: HTTPClientError.self) { try prepare(ClientRequest(method: "GET /x", url: "http://h/")) }
    }

    @Test func timeoutsBecomeWholeMilliseconds() throws {
        let prepared = try prepare(ClientRequest(url: "http://h/", timeout: .microseconds(1500), connectTimeout: .zero))
        #expect(prepared.timeoutMilliseconds == 2)
        #expect(prepared.connectTimeoutMilliseconds == 1)
    }

    @Test(arguments: [
        ("https://user:pw@host:8443/a/b?X-Amz-Signature=abc#frag", "https://host:8443/a/b"),
        ("http://h/p?token=secret", "http://h/p"),
        ("http://h/p#x?y", "http://h/p"),
        ("http://h/p@q", "http://h/p@q"),
    ])
    func urlsInMessagesLoseQueryAndCredentials(_ url: String, _ expected: String) {
        #expect(HTTPClientError.redacted(url) == expected)
    }
}

@Suite struct ResponseHeadParserTests {
    private func parse(_ lines: [String]) -> HTTPHeaders {
        var parser = ResponseHeadParser()
        for line in lines {
            Array(line.utf8).withUnsafeBufferPointer { parser.consume(line: $0) }
        }
        return parser.headers
    }

    @Test func keepsRepeatedFieldsInOrder() {
        let headers = parse(["HTTP/1.1 200 OK\r\n", "Set-Cookie: a=1\r\n", "X: y\r\n", "set-cookie:  b=2 \r\n", "\r\n"])
        #expect(headers.values(for: "Set-Cookie") == ["a=1", "b=2"])
        #expect(headers["x"] == "y")
    }

    @Test func onlyTheFinalResponseCounts() {
        let headers = parse([
            "HTTP/1.1 100 Continue\r\n", "X-Interim: 1\r\n", "\r\n",
            "HTTP/1.1 302 Found\r\n", "Location: /b\r\n", "\r\n",
            "HTTP/2 200\r\n", "content-type: text/plain\r\n", "\r\n",
        ])
        #expect(headers.count == 1)
        #expect(headers["Content-Type"] == "text/plain")
    }

    @Test func obsoleteFoldingIsJoined() {
        let headers = parse(["HTTP/1.1 200 OK\r\n", "X-Long: one\r\n", "\t two\r\n", "\r\n"])
        #expect(headers["X-Long"] == "one two")
    }
}

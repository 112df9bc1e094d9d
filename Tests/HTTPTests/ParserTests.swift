import HTTP
import Testing

@Suite("Request parser: well-formed input")
struct ParserTests {
    @Test func simpleGet() {
        let events = parseEvents("GET /v1/jobs?state=pending HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n")
        #expect(events.count == 2)
        let head = events[0].head
        #expect(head?.method == "GET")
        #expect(head?.target == "/v1/jobs?state=pending")
        #expect(head?.version == .http1_1)
        #expect(head?.keepAlive == true)
        #expect(head?.framing == HTTPRequestHead.BodyFraming.none)
        #expect(events[1].body == [])
    }

    @Test func headerNamesAreCaseInsensitiveAndRepeatsKept() {
        let events = parseEvents("GET / HTTP/1.1\r\nhost: x\r\nX-Tag: a\r\nx-tag:  b \r\n\r\n")
        let headers = events.heads.first?.headers
        #expect(headers?["HOST"] == "x")
        #expect(headers?.values(for: "X-TAG") == ["a", "b"])
    }

    @Test func contentLengthBody() {
        let events = parseEvents("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
        #expect(events.heads.first?.framing == .length(5))
        #expect(events.bodies == [Array("hello".utf8)])
    }

    @Test(arguments: [1, 2, 3, 7])
    func inputSplitAnywhereGivesTheSameRequest(pieceSize: Int) {
        let raw = "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world"
        let events = parseEvents(raw, pieceSize: pieceSize)
        #expect(events.heads.count == 1)
        #expect(events.bodies == [Array("hello world".utf8)])
    }

    @Test(arguments: [1, 4, 1000])
    func chunkedBodyWithExtensionsAndTrailers(pieceSize: Int) {
        let raw = "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n6\r\n world\r\nA\r\n0123456789\r\n0\r\nX-Checksum: abc\r\n\r\n"
            + "GET /next HTTP/1.1\r\nHost: x\r\n\r\n"
        let events = parseEvents(raw, pieceSize: pieceSize)
        #expect(events.heads.map(\.framing) == [.chunked, .none])
        #expect(events.bodies == [Array("hello world0123456789".utf8), []])
        #expect(events.heads.last?.target == "/next")
    }

    @Test func http10ClosesByDefaultAndKeepsAliveWhenAsked() {
        #expect(parseEvents("GET / HTTP/1.0\r\n\r\n").heads.first?.keepAlive == false)
        #expect(parseEvents("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").heads.first?.keepAlive == true)
        #expect(parseEvents("GET / HTTP/1.0\r\n\r\n").heads.first?.version == .http1_0)
    }

    @Test func connectionCloseEndsKeepAlive() {
        #expect(parseEvents("GET / HTTP/1.1\r\nHost: x\r\nConnection: foo, Close\r\n\r\n").heads.first?.keepAlive == false)
    }

    @Test func pipelinedRequestsComeOutInOrder() {
        let raw = "GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhiGET /c HTTP/1.1\r\nHost: x\r\n\r\n"
        let events = parseEvents(raw)
        #expect(events.heads.map(\.target) == ["/a", "/b", "/c"])
        #expect(events.bodies == [[], Array("hi".utf8), []])
    }

    @Test func expectContinueIsReported() {
        let head = parseEvents("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n").heads.first
        #expect(head?.expectsContinue == true)
        #expect(head?.hasBody == true)
    }

    @Test func leadingEmptyLinesAreIgnored() {
        let events = parseEvents("\r\n\r\nGET /a HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(events.heads.map(\.target) == ["/a"])
    }

    @Test func absoluteFormTargetIsReducedToOriginForm() {
        #expect(parseEvents("GET http://example.com/a/b?c=d HTTP/1.1\r\nHost: example.com\r\n\r\n").heads.first?.target == "/a/b?c=d")
        #expect(parseEvents("GET HTTP://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n").heads.first?.target == "/")
        #expect(parseEvents("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n").heads.first?.target == "*")
    }

    @Test func identicalRepeatedContentLengthsAreAccepted() {
        let events = parseEvents("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok")
        #expect(events.bodies == [Array("ok".utf8)])
    }

    @Test func fieldValuesKeepObsTextAndInnerWhitespace() {
        var raw = Array("GET / HTTP/1.1\r\nHost: x\r\nX-Name: a \t b".utf8)
        raw += [0xC3, 0xA9]
        raw += Array("\r\n\r\n".utf8)
        #expect(parseEvents(raw).heads.first?.headers["x-name"] == "a \t bé")
    }

    @Test func inputBufferCompactsWithoutLosingBytes() {
        var buffer = HTTPInputBuffer()
        buffer.append(contentsOf: [UInt8](repeating: 1, count: 40_000))
        buffer.append(contentsOf: [2, 3])
        buffer.consume(40_000)
        #expect(buffer.readableBytes == [2, 3])
        buffer.consume(2)
        #expect(buffer.isEmpty)
    }
}

import HTTP
import Testing

@Suite("Request parser: malformed, smuggling and oversized input")
struct ParserRejectionTests {
    static let smugglingShapes: [(String, String)] = [
        ("both lengths", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        ("conflicting lengths", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"),
        ("conflicting list", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 4\r\n\r\nabcd"),
        ("signed length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +3\r\n\r\nabc"),
        ("empty length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: \r\n\r\n"),
        ("hex length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x3\r\n\r\nabc"),
        ("obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n"),
        ("bare CR in value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n"),
        ("bare CR line end", "GET / HTTP/1.1\r\nHost: x\rX-A: a\r\n\r\n"),
        ("bare LF line end", "GET / HTTP/1.1\nHost: x\r\n\r\n"),
        ("space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n"),
        ("chunked twice", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n"),
        ("chunked in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        ("bad chunk size", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n\r\n"),
        ("chunk size 0x", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n"),
        ("chunk without CRLF", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX\r\n0\r\n\r\n"),
        ("bare LF after chunk size", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n"),
        ("huge chunk size", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n"),
        ("missing host", "GET / HTTP/1.1\r\n\r\n"),
        ("two hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
        ("double space", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("lowercase version", "GET / http/1.1\r\nHost: x\r\n\r\n"),
        ("short version", "GET / HTTP/1\r\nHost: x\r\n\r\n"),
        ("relative target", "GET foo HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("NUL in value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u{0}b\r\n\r\n"),
        ("empty field name", "GET / HTTP/1.1\r\nHost: x\r\n: v\r\n\r\n"),
    ]

    @Test(arguments: smugglingShapes)
    func smugglingAndMalformedShapesAre400(name: String, raw: String) {
        let events = parseEvents(raw)
        #expect(events.errorStatus == 400, "\(name): \(events)")
        #expect(events.bodies.isEmpty, "\(name) must not yield a request")
    }

    @Test(arguments: ["HTTP/2.0", "HTTP/1.2", "HTTP/0.9", "HTTP/3.0"])
    func unsupportedVersionIs505(version: String) {
        #expect(parseEvents("GET / \(version)\r\nHost: x\r\n\r\n").errorStatus == 505)
    }

    @Test(arguments: ["gzip", "gzip, chunked", "identity", "chunked, gzip"])
    func unsupportedTransferCodingIs501(coding: String) {
        let events = parseEvents("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \(coding)\r\n\r\n")
        #expect(events.errorStatus == 501)
    }

    @Test func unsupportedExpectationIs417() {
        #expect(parseEvents("POST / HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\nx").errorStatus == 417)
    }

    @Test func longRequestLineIs414CompleteOrNot() {
        let limits = HTTPRequestParser.Limits(maxRequestLineBytes: 64)
        let long = "GET /" + String(repeating: "a", count: 100)
        #expect(parseEvents(long + " HTTP/1.1\r\nHost: x\r\n\r\n", limits: limits).errorStatus == 414)
        // Still incomplete: refused as soon as the limit is passed, not when the line ends.
        #expect(parseEvents(long, limits: limits).errorStatus == 414)
        #expect(parseEvents("GET /" + String(repeating: "a", count: 40) + " HTTP/1.1\r\nHost: x\r\n\r\n", limits: limits).errorStatus == nil)
    }

    @Test func largeHeaderBlockIs431CompleteOrNot() {
        let limits = HTTPRequestParser.Limits(maxHeaderBytes: 100)
        let big = "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "b", count: 200)
        #expect(parseEvents(big + "\r\n\r\n", limits: limits).errorStatus == 431)
        #expect(parseEvents(big, limits: limits).errorStatus == 431)
    }

    @Test func tooManyFieldsIs431() {
        let limits = HTTPRequestParser.Limits(maxHeaderCount: 5)
        let fields = (0..<6).map { "X-\($0): v\r\n" }.joined()
        #expect(parseEvents("GET / HTTP/1.1\r\nHost: x\r\n" + fields + "\r\n", limits: limits).errorStatus == 431)
        let fewer = (0..<4).map { "X-\($0): v\r\n" }.joined()
        #expect(parseEvents("GET / HTTP/1.1\r\nHost: x\r\n" + fewer + "\r\n", limits: limits).errorStatus == nil)
    }

    @Test func oversizedContentLengthIs413BeforeAnyBodyByte() {
        var parser = HTTPRequestParser()
        var buffer = HTTPInputBuffer(Array("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n".utf8))
        #expect(parser.next(&buffer).head != nil)
        #expect(parser.setBodyLimit(999)?.status == 413)
        #expect(parser.next(&buffer).error?.status == 413)
    }

    @Test func defaultBodyLimitAppliesWithoutAnExplicitOne() {
        let limits = HTTPRequestParser.Limits(defaultBodyLimit: 4)
        #expect(parseEvents("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n", limits: limits).errorStatus == 413)
        #expect(parseEvents("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nabcd", limits: limits).errorStatus == nil)
    }

    @Test func chunkedBodyOverTheLimitIs413() {
        let raw = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n4\r\nefgh\r\n"
        #expect(parseEvents(raw, bodyLimit: 6).errorStatus == 413)
        #expect(parseEvents(raw + "0\r\n\r\n", bodyLimit: 8).bodies == [Array("abcdefgh".utf8)])
    }

    @Test func oversizedTrailersAre431() {
        let limits = HTTPRequestParser.Limits(maxHeaderBytes: 64)
        let raw = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"
            + (0..<10).map { "X-T\($0): vvvvvvvvvv\r\n" }.joined()
        #expect(parseEvents(raw, limits: limits).errorStatus == 431)
    }

    @Test func errorsAreFinal() {
        var parser = HTTPRequestParser()
        var buffer = HTTPInputBuffer(Array("GET / HTTP/9.9\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        #expect(parser.next(&buffer).error?.status == 505)
        #expect(parser.next(&buffer).error?.status == 505)
    }

    @Test func errorResponsesCarryTheJSONEnvelope() throws {
        let response = HTTPParseError.uriTooLong.response
        #expect(response.status == 414)
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"error":{"code":"uri_too_long","message":"request line too long"}}"#)
    }
}

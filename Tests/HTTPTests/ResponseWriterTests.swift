import HTTP
import Testing

@Suite("Response writer")
struct ResponseWriterTests {
    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func framesTheResponse() {
        let bytes = HTTPResponseWriter.serialize(.text("hi"), keepAlive: true, date: "D")
        #expect(text(bytes) == "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 2\r\nDate: D\r\n\r\nhi")
    }

    @Test func closeAndHTTP10KeepAliveAreAnnounced() {
        #expect(text(HTTPResponseWriter.serialize(HTTPResponse(status: 202), keepAlive: false, date: "D"))
            == "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nDate: D\r\nConnection: close\r\n\r\n")
        #expect(text(HTTPResponseWriter.serialize(HTTPResponse(status: 200), keepAlive: true, version: .http1_0, date: "D"))
            .contains("\r\nConnection: keep-alive\r\n"))
    }

    @Test func handlerFramingFieldsAreReplacedAndInjectionNeutralised() {
        let response = HTTPResponse(
            status: 200,
            headers: ["Content-Length": "999", "Transfer-Encoding": "chunked", "X-Evil": "a\r\nSet-Cookie: x", "Bad Name": "v"],
            body: Array("abc".utf8))
        let out = text(HTTPResponseWriter.serialize(response, keepAlive: true, date: "D"))
        #expect(out == "HTTP/1.1 200 OK\r\nX-Evil: a  Set-Cookie: x\r\nContent-Length: 3\r\nDate: D\r\n\r\nabc")
    }

    @Test func headAnnouncesLengthWithoutBodyAnd204HasNone() {
        let head = text(HTTPResponseWriter.serialize(.text("hello"), keepAlive: true, omitBody: true, date: "D"))
        #expect(head.hasSuffix("Content-Length: 5\r\nDate: D\r\n\r\n"))
        let noContent = text(HTTPResponseWriter.serialize(HTTPResponse(status: 204, body: [1]), keepAlive: true, date: "D"))
        #expect(noContent == "HTTP/1.1 204 No Content\r\nDate: D\r\n\r\n")
    }

    @Test func dateIsAnIMFFixdate() {
        let date = String(decoding: HTTPResponseWriter.serialize(HTTPResponse(status: 200), keepAlive: true), as: UTF8.self)
        let value = date.split(separator: "\r\n").first { $0.hasPrefix("Date: ") }?.dropFirst(6) ?? ""
        // e.g. "Sun, 06 Nov 1994 08:49:37 GMT"
        #expect(value.count == 29)
        #expect(value.hasSuffix(" GMT"))
    }
}

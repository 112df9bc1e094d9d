import Foundation
import HTTP
import Logging
import Testing
@testable import RunwayKit

@Suite struct JSONLogHandlerTests {
    private func fields(_ line: String) throws -> [String: String] {
        #expect(line.hasSuffix("}\n"))
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
    }

    @Test func aLineIsOneJSONObjectWithTheMetadataAsFields() throws {
        var handler = JSONLogHandler(label: "runway.test")
        handler[metadataKey: "pool.name"] = "ec2-ubuntu"
        let line = handler.line(level: .warning, message: "quote \" and\nnewline", metadata: ["job.id": "42"])
        let object = try fields(line)
        #expect(object["msg"] == "quote \" and\nnewline")
        #expect(object["level"] == "warning" && object["logger"] == "runway.test")
        #expect(object["pool.name"] == "ec2-ubuntu" && object["job.id"] == "42")
        #expect(object["trace.id"] == nil, "no trace outside a request or dispatch")
        #expect(line.filter { $0 == "\n" }.count == 1, "one line per event")
    }

    @Test func linesInsideATraceCarryItsIDsUnlessSetExplicitly() throws {
        let handler = JSONLogHandler(label: "runway.test")
        let trace = TraceContext.newRoot()
        let (inside, explicit) = TraceContext.$current.withValue(trace) {
            (handler.line(level: .info, message: "m", metadata: nil),
             handler.line(level: .info, message: "m", metadata: ["trace.id": "mine"]))
        }
        #expect(try fields(inside)["trace.id"] == trace.traceID)
        #expect(try fields(inside)["span.id"] == trace.spanID)
        #expect(try fields(explicit)["trace.id"] == "mine")
    }
}

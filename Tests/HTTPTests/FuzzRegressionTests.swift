import Foundation
import HTTP
import Testing

/// Inputs found by `make fuzz` (Sources/HTTPParserFuzz): the parser must give the same answer
/// however the bytes are split, with the fuzz target's small limits.
@Suite("Parser fuzz regressions")
struct FuzzRegressionTests {
    static let limits = HTTPRequestParser.Limits(maxRequestLineBytes: 64, maxHeaderBytes: 256, maxHeaderCount: 8, defaultBodyLimit: 64)

    static let crashes: [(String, String)] = [
        // Header block over the limit with a bare LF inside: split feeding said 431, whole input 400.
        ("crash-bb6fb074", "UE9TVCAvIEhUVFAvMS4xDQpIb3N0OiBhDQpUcmFuc2Zlci1FbmNvWmluZzogb3N0OiBhDQpUcmFuc2Zlci1FbmNvWmluZzogY2h1bmtWVlYNClRyYW5zZmVyLUVuY29zc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc1ppbmcKSG9zdDogYQ0KVHJhbnNmZXItRW5jb1ppbmc6IG9zdDogYQ0KVHJhbnNmZXItRW5jb1ppbmc6IGNodW5rVlZWDQpUcmFWVlZWVlZWVlZWVlZWVlZWVlZWVlZUOiB2DQoNCg=="),
    ]

    struct Outcome: Equatable {
        var heads: [String]
        var bodies: [[UInt8]]
        var error: Int?
    }

    static func outcome(_ events: [HTTPRequestParser.Event]) -> Outcome {
        Outcome(heads: events.heads.map { "\($0.method) \($0.target) \($0.framing)" }, bodies: events.bodies, error: events.errorStatus)
    }

    @Test(arguments: crashes)
    func splitAndWholeInputAgree(name: String, base64: String) throws {
        let input = try #require(Data(base64Encoded: base64).map { Array($0) })
        let whole = Self.outcome(parseEvents(input, limits: Self.limits, bodyLimit: 64))
        for size in 1...7 {
            #expect(Self.outcome(parseEvents(input, limits: Self.limits, bodyLimit: 64, pieceSize: size)) == whole, "\(name), pieces of \(size)")
        }
        #expect(whole.error == 431)
    }
}

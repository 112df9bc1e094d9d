// libFuzzer entry point for the HTTP request parser (`make fuzz`, scripts/fuzz.sh).
//
// Each input is parsed whole and again fed in pieces whose sizes come from the input itself; both
// runs must agree on every request and error (the parser must not depend on how bytes arrive),
// and every head that parses must serialize a response without trapping.
import HTTP

enum ParserFuzz {
    struct Outcome: Equatable {
        var heads: [String] = []
        var bodies: [[UInt8]] = []
        var error: Int?
    }

    static func parse(_ input: [UInt8], pieces: [Int], limits: HTTPRequestParser.Limits) -> Outcome {
        var parser = HTTPRequestParser(limits: limits)
        var buffer = HTTPInputBuffer()
        var outcome = Outcome()
        var offset = 0
        var piece = 0
        repeat {
            let size = pieces.isEmpty ? input.count : max(1, pieces[piece % pieces.count])
            piece += 1
            let end = min(input.count, offset + size)
            buffer.append(contentsOf: input[offset..<end])
            offset = end
            while true {
                switch parser.next(&buffer) {
                case .needMore:
                    break
                case .head(let head):
                    outcome.heads.append("\(head.method) \(head.target) \(head.version) \(head.framing) \(head.keepAlive)")
                    _ = HTTPResponseWriter.serialize(
                        .text(head.target), keepAlive: head.keepAlive, version: head.version, date: "x")
                    if let error = parser.setBodyLimit(64) {
                        outcome.error = error.status
                        return outcome
                    }
                    continue
                case .body(let body):
                    outcome.bodies.append(body)
                    continue
                case .error(let error):
                    outcome.error = error.status
                    return outcome
                }
                break
            }
        } while offset < input.count
        return outcome
    }

    static func run(_ input: [UInt8]) {
        let limits = HTTPRequestParser.Limits(maxRequestLineBytes: 64, maxHeaderBytes: 256, maxHeaderCount: 8, defaultBodyLimit: 64)
        let whole = parse(input, pieces: [], limits: limits)
        let pieces = input.prefix(4).map { Int($0 % 7) + 1 }
        let split = parse(input, pieces: pieces, limits: limits)
        if whole != split {
            fatalError("parser result depends on how input is split: \(whole) vs \(split)")
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    ParserFuzz.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

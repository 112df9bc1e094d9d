import HTTP

/// Runs the parser over `input` (optionally fed in pieces) and collects events until it needs
/// more input or fails; heads get `bodyLimit` (or the default) as their limit.
func parseEvents(
    _ input: String, limits: HTTPRequestParser.Limits = .init(), bodyLimit: Int? = nil, pieceSize: Int? = nil
) -> [HTTPRequestParser.Event] {
    parseEvents(Array(input.utf8), limits: limits, bodyLimit: bodyLimit, pieceSize: pieceSize)
}

func parseEvents(
    _ input: [UInt8], limits: HTTPRequestParser.Limits = .init(), bodyLimit: Int? = nil, pieceSize: Int? = nil
) -> [HTTPRequestParser.Event] {
    var parser = HTTPRequestParser(limits: limits)
    var buffer = HTTPInputBuffer()
    var events: [HTTPRequestParser.Event] = []
    let size = pieceSize ?? max(input.count, 1)
    var offset = 0
    repeat {
        let end = min(offset + size, input.count)
        buffer.append(contentsOf: input[offset..<end])
        offset = end
        loop: while true {
            let event = parser.next(&buffer)
            switch event {
            case .needMore:
                break loop
            case .head:
                events.append(event)
                if let bodyLimit, let error = parser.setBodyLimit(bodyLimit) {
                    events.append(.error(error))
                    return events
                }
            case .body:
                events.append(event)
            case .error:
                events.append(event)
                return events
            }
        }
    } while offset < input.count
    return events
}

extension HTTPRequestParser.Event {
    var head: HTTPRequestHead? {
        if case .head(let head) = self { return head }
        return nil
    }
    var body: [UInt8]? {
        if case .body(let body) = self { return body }
        return nil
    }
    var error: HTTPParseError? {
        if case .error(let error) = self { return error }
        return nil
    }
}

extension Array where Element == HTTPRequestParser.Event {
    var heads: [HTTPRequestHead] { compactMap(\.head) }
    var bodies: [[UInt8]] { compactMap(\.body) }
    var errorStatus: Int? { last?.error?.status }
}

import HTTP

/// Collects the header block of the final response from the lines libcurl hands to its header
/// callback, one complete line per call.
///
/// libcurl reports every response it reads: interim `100 Continue`, each redirect it follows,
/// a proxy's `CONNECT` answer. A status line therefore starts a new block, so only the last
/// response's fields remain. Repeated fields are kept in order; obsolete line folding is joined
/// with a space (RFC 9112 §5.2).
struct ResponseHeadParser {
    private var fields: [(name: String, value: String)] = []

    /// The fields of the last response seen so far.
    var headers: HTTPHeaders { HTTPHeaders(fields) }

    mutating func consume(line bytes: UnsafeBufferPointer<UInt8>) {
        var line = Substring(decoding: bytes, as: UTF8.self)
        while let last = line.last, last == "\r\n" || last == "\n" || last == "\r" {
            line = line.dropLast()
        }
        if line.isEmpty { return }
        if line.hasPrefix("HTTP/") {
            fields.removeAll(keepingCapacity: true)
            return
        }
        if let first = line.first, first == " " || first == "\t" {
            guard !fields.isEmpty else { return }
            let continuation = line.trimmingSpaces()
            fields[fields.count - 1].value += fields[fields.count - 1].value.isEmpty ? continuation : " " + continuation
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = String(line[..<colon])
        let value = line[line.index(after: colon)...].trimmingSpaces()
        fields.append((name: name, value: value))
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return String(text)
    }
}

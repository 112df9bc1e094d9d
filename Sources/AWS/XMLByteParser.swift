/// The byte-level state machine behind `XMLReader`.
struct XMLByteParser {
    let b: [UInt8]
    var i = 0
    var stack: [XMLNode] = []
    var root: XMLNode?

    init(bytes: [UInt8]) {
        b = bytes
        if b.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
    }

    func fail(_ reason: String) -> XMLReaderError { XMLReaderError(reason: reason, offset: i) }

    func starts(_ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard i + n <= b.count else { return false }
        let p = s.utf8Start
        for k in 0..<n where b[i + k] != p[k] { return false }
        return true
    }

    mutating func skip(past terminator: StaticString) throws(XMLReaderError) {
        while i < b.count {
            if starts(terminator) { i += terminator.utf8CodeUnitCount; return }
            i += 1
        }
        throw fail("unterminated construct")
    }

    mutating func document() throws(XMLReaderError) -> XMLNode {
        while i < b.count {
            if b[i] == 0x3C {
                try markup()
            } else {
                let start = i
                while i < b.count, b[i] != 0x3C { i += 1 }
                let text = try decodeText(b[start..<i])
                if stack.isEmpty {
                    if text.contains(where: { !$0.isWhitespace }) { throw fail("text outside the root element") }
                } else {
                    stack[stack.count - 1].text += text
                }
            }
        }
        guard stack.isEmpty else { throw fail("truncated document: unclosed element") }
        guard let root else { throw fail("no root element") }
        return root
    }

    mutating func markup() throws(XMLReaderError) {
        if starts("<?") { try skip(past: "?>"); return }
        if starts("<!--") { try skip(past: "-->"); return }
        if starts("<![CDATA[") {
            guard !stack.isEmpty else { throw fail("CDATA outside the root element") }
            i += 9
            let start = i
            try skip(past: "]]>")
            stack[stack.count - 1].text += String(decoding: b[start..<(i - 3)], as: UTF8.self)
            return
        }
        if starts("<!") {
            let start = i
            while i < b.count, b[i] != 0x3E {
                if b[i] == 0x5B { throw fail("DOCTYPE internal subsets are not accepted") }
                i += 1
            }
            guard i < b.count else { i = start; throw fail("unterminated declaration") }
            i += 1
            return
        }
        if starts("</") {
            i += 2
            let name = try readName()
            skipSpace()
            guard i < b.count, b[i] == 0x3E else { throw fail("malformed end tag") }
            i += 1
            guard let open = stack.popLast(), open.name == localName(name) else { throw fail("mismatched end tag") }
            try close(open)
            return
        }
        i += 1
        let name = try readName()
        var node = XMLNode(name: localName(name), attributes: [:], children: [], text: "")
        while true {
            skipSpace()
            guard i < b.count else { throw fail("truncated start tag") }
            if b[i] == 0x3E { i += 1; break }
            if b[i] == 0x2F {
                guard i + 1 < b.count, b[i + 1] == 0x3E else { throw fail("malformed empty-element tag") }
                i += 2
                guard stack.count < XMLReader.maxDepth else { throw fail("nesting too deep") }
                try close(node)
                return
            }
            let attr = try readName()
            skipSpace()
            guard i < b.count, b[i] == 0x3D else { throw fail("attribute without value") }
            i += 1
            skipSpace()
            guard i < b.count, b[i] == 0x22 || b[i] == 0x27 else { throw fail("unquoted attribute value") }
            let quote = b[i]
            i += 1
            let start = i
            while i < b.count, b[i] != quote { i += 1 }
            guard i < b.count else { throw fail("unterminated attribute value") }
            node.attributes[attr] = try decodeText(b[start..<i])
            i += 1
        }
        guard stack.count < XMLReader.maxDepth else { throw fail("nesting too deep") }
        stack.append(node)
    }

    mutating func close(_ node: XMLNode) throws(XMLReaderError) {
        if stack.isEmpty {
            guard root == nil else { throw fail("more than one root element") }
            root = node
        } else {
            stack[stack.count - 1].children.append(node)
        }
    }

    mutating func skipSpace() {
        while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D { i += 1 }
    }

    mutating func readName() throws(XMLReaderError) -> String {
        let start = i
        while i < b.count {
            let c = b[i]
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x3E || c == 0x2F || c == 0x3D || c == 0x3C { break }
            i += 1
        }
        guard i > start else { throw fail("missing name") }
        return String(decoding: b[start..<i], as: UTF8.self)
    }

    func localName(_ qualified: String) -> String {
        guard let colon = qualified.lastIndex(of: ":") else { return qualified }
        return String(qualified[qualified.index(after: colon)...])
    }

    func decodeText(_ slice: ArraySlice<UInt8>) throws(XMLReaderError) -> String {
        guard slice.contains(0x26) else { return String(decoding: slice, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(slice.count)
        var k = slice.startIndex
        while k < slice.endIndex {
            guard slice[k] == 0x26 else { out.append(slice[k]); k += 1; continue }
            guard let semi = slice[k...].firstIndex(of: 0x3B), semi - k <= 12 else { throw fail("malformed entity") }
            let entity = String(decoding: slice[(k + 1)..<semi], as: UTF8.self)
            switch entity {
            case "amp": out.append(0x26)
            case "lt": out.append(0x3C)
            case "gt": out.append(0x3E)
            case "quot": out.append(0x22)
            case "apos": out.append(0x27)
            default:
                guard entity.hasPrefix("#") else { throw fail("unknown entity") }
                let digits = entity.dropFirst()
                let value = digits.hasPrefix("x") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
                guard let value, let scalar = Unicode.Scalar(value) else { throw fail("invalid character reference") }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            }
            k = semi + 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// One element of a parsed XML document: local name (prefix dropped), attributes, children
/// and the concatenated character data directly inside it.
public struct XMLNode: Sendable {
    /// The local name (`ec2:item` → `item`).
    public var name: String
    /// Attributes by their qualified name.
    public var attributes: [String: String]
    /// Child elements in document order.
    public var children: [XMLNode]
    /// Character data directly inside this element (entities decoded, untrimmed).
    public var text: String

    /// The first child named `name`.
    public func child(_ name: String) -> XMLNode? { children.first { $0.name == name } }

    /// Every child named `name`.
    public func children(_ name: String) -> [XMLNode] { children.filter { $0.name == name } }

    /// Follows a path of child names.
    public func path(_ names: String...) -> XMLNode? {
        var node: XMLNode? = self
        for name in names { node = node?.child(name) }
        return node
    }

    /// The trimmed text of child `name`, nil when absent or empty.
    public func string(_ name: String) -> String? {
        guard let t = child(name)?.text.trimmingWhitespace(), !t.isEmpty else { return nil }
        return t
    }

    /// The `item` children of child `name` (EC2's list encoding).
    public func items(_ name: String) -> [XMLNode] { child(name)?.children("item") ?? [] }
}

/// Why a document could not be read; says where, never echoes the content.
public struct XMLReaderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public var reason: String
    /// Byte offset where it went wrong.
    public var offset: Int
    public var description: String { "XML error at byte \(offset): \(reason)" }
}

/// A small, strict XML reader for AWS responses: elements, attributes, text, CDATA, the five
/// predefined entities and character references. Comments, processing instructions and a
/// DOCTYPE without an internal subset are skipped; an internal subset (entity declarations)
/// is rejected, so no entity expansion can happen.
public enum XMLReader {
    /// Deepest nesting accepted.
    public static let maxDepth = 64

    /// Parses `bytes` into its root element.
    public static func parse(_ bytes: [UInt8]) throws(XMLReaderError) -> XMLNode {
        var parser = XMLByteParser(bytes: bytes)
        return try parser.document()
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let utf8 = Array(self.utf8)
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        guard let first = utf8.firstIndex(where: { !isSpace($0) }), let last = utf8.lastIndex(where: { !isSpace($0) }) else { return "" }
        if first == 0, last == utf8.count - 1 { return self }
        return String(decoding: utf8[first...last], as: UTF8.self)
    }
}

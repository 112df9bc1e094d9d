/// RFC 3986 percent-encoding, path normalisation and query parsing as SigV4 defines them.
enum SigV4Encoding {
    /// Whether `b` is an RFC 3986 unreserved byte (`A–Z a–z 0–9 - _ . ~`).
    @inline(__always)
    static func isUnreserved(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
            || b == 0x2D || b == 0x5F || b == 0x2E || b == 0x7E
    }

    private static let upperHex: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Appends the percent-encoding of `bytes` (uppercase hex; `/` kept when `keepSlash`).
    static func append<Bytes: Sequence<UInt8>>(encoding bytes: Bytes, keepSlash: Bool = false, to out: inout [UInt8]) {
        for b in bytes {
            if isUnreserved(b) || (keepSlash && b == 0x2F) {
                out.append(b)
            } else {
                out.append(0x25)
                out.append(upperHex[Int(b >> 4)])
                out.append(upperHex[Int(b & 0x0F)])
            }
        }
    }

    /// The percent-encoding of `string` (`/` encoded unless `keepSlash`).
    static func encode(_ string: String, keepSlash: Bool = false) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(string.utf8.count)
        append(encoding: string.utf8, keepSlash: keepSlash, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `%XX` escapes; malformed escapes are kept as they are (`+` is not a space).
    static func decode<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> [UInt8] where Bytes.Index == Int {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let b = bytes[i]
            if b == 0x25, i + 2 < bytes.endIndex, let h = hexValue(bytes[i + 1]), let l = hexValue(bytes[i + 2]) {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(b)
                i += 1
            }
        }
        return out
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x37
        case 0x61...0x66: return c - 0x57
        default: return nil
        }
    }

    /// Removes `.` and `..` segments and collapses repeated slashes (non-S3 services);
    /// a trailing slash is kept.
    static func normalize(path: String) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            if segment == ".." {
                if !segments.isEmpty { segments.removeLast() }
                continue
            }
            segments.append(segment)
        }
        var result = "/" + segments.joined(separator: "/")
        if path.hasSuffix("/"), result != "/" { result += "/" }
        return result
    }

    /// Splits a raw query string into decoded name/value pairs (a name without `=` has value "").
    static func parseQuery(_ query: Substring) -> [(String, String)] {
        guard !query.isEmpty else { return [] }
        return query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let bytes = Array(pair.utf8)
            if let eq = bytes.firstIndex(of: 0x3D) {
                return (String(decoding: decode(bytes[..<eq]), as: UTF8.self),
                        String(decoding: decode(bytes[(eq + 1)...]), as: UTF8.self))
            }
            return (String(decoding: decode(bytes), as: UTF8.self), "")
        }
    }
}

/// The parts of an absolute URL the signer needs, kept as raw text (no re-encoding).
struct SigV4URL {
    var scheme: Substring
    var authority: Substring
    var path: Substring
    var query: Substring

    /// Splits `scheme://authority/path?query#fragment`; nil when there is no `scheme://`.
    init?(_ url: String) {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        scheme = url[..<schemeEnd.lowerBound]
        var rest = url[schemeEnd.upperBound...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let pathStart = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        authority = rest[..<pathStart]
        guard !authority.isEmpty else { return nil }
        let afterAuthority = rest[pathStart...]
        if let q = afterAuthority.firstIndex(of: "?") {
            path = afterAuthority[..<q]
            query = afterAuthority[afterAuthority.index(after: q)...]
        } else {
            path = afterAuthority
            query = ""
        }
    }

    /// The Host header value: the authority without a default port or user info.
    var host: String {
        var a = authority
        if let at = a.lastIndex(of: "@") { a = a[a.index(after: at)...] }
        if scheme == "https", a.hasSuffix(":443") { return String(a.dropLast(4)) }
        if scheme == "http", a.hasSuffix(":80") { return String(a.dropLast(3)) }
        return String(a)
    }
}

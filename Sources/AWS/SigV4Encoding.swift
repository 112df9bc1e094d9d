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
    static func normalize(path: ArraySlice<UInt8>) -> [UInt8] {
        if isNormal(path) { return Array(path) }
        var segments: [ArraySlice<UInt8>] = []
        for segment in path.split(separator: 0x2F, omittingEmptySubsequences: true) {
            if segment.elementsEqual([0x2E]) { continue }
            if segment.elementsEqual([0x2E, 0x2E]) {
                if !segments.isEmpty { segments.removeLast() }
                continue
            }
            segments.append(segment)
        }
        var result: [UInt8] = [0x2F]
        for (i, segment) in segments.enumerated() {
            if i > 0 { result.append(0x2F) }
            result.append(contentsOf: segment)
        }
        if path.last == 0x2F, result.count > 1 { result.append(0x2F) }
        return result
    }

    /// Whether `path` starts with `/` and has no empty, `.` or `..` segment (the common case).
    private static func isNormal(_ path: ArraySlice<UInt8>) -> Bool {
        guard path.first == 0x2F else { return false }
        var segmentStart = path.startIndex + 1
        var i = segmentStart
        while i <= path.endIndex {
            if i == path.endIndex || path[i] == 0x2F {
                let length = i - segmentStart
                if length == 0 && i != path.endIndex { return false }
                if length == 1 && path[segmentStart] == 0x2E { return false }
                if length == 2 && path[segmentStart] == 0x2E && path[segmentStart + 1] == 0x2E { return false }
                segmentStart = i + 1
            }
            i += 1
        }
        return true
    }

    /// Splits a raw query string into decoded name/value pairs (a name without `=` has value "").
    static func parseQuery(_ query: ArraySlice<UInt8>) -> [([UInt8], [UInt8])] {
        guard !query.isEmpty else { return [] }
        return query.split(separator: 0x26, omittingEmptySubsequences: true).map { pair in
            if let eq = pair.firstIndex(of: 0x3D) {
                return (decode(pair[..<eq]), decode(pair[(eq + 1)...]))
            }
            return (decode(pair), [])
        }
    }

    /// Appends lowercase hex of `bytes`.
    static func appendHex(_ bytes: [UInt8], to out: inout [UInt8]) {
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: bytes.count * 2))
        out.withUnsafeMutableBufferPointer { o in
            bytes.withUnsafeBufferPointer { b in
                var j = start
                for byte in b {
                    let hi = byte >> 4, lo = byte & 0x0F
                    o[j] = hi < 10 ? 0x30 + hi : 0x57 + hi
                    o[j + 1] = lo < 10 ? 0x30 + lo : 0x57 + lo
                    j += 2
                }
            }
        }
    }

    /// Lowercase hex of `bytes` as a String.
    static func hex(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        appendHex(bytes, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

/// The parts of an absolute URL the signer needs, kept as raw bytes (no re-encoding).
struct SigV4URL {
    let bytes: [UInt8]
    let scheme: Range<Int>
    let authority: Range<Int>
    let path: Range<Int>
    let query: Range<Int>

    /// Splits `scheme://authority/path?query#fragment`; nil when there is no `scheme://`.
    init?(_ url: String) {
        bytes = Array(url.utf8)
        var i = 0
        while i + 2 < bytes.count, !(bytes[i] == 0x3A && bytes[i + 1] == 0x2F && bytes[i + 2] == 0x2F) { i += 1 }
        guard i + 2 < bytes.count, i > 0 else { return nil }
        scheme = 0..<i
        let authorityStart = i + 3
        var end = bytes.count
        if let hash = bytes[authorityStart...].firstIndex(of: 0x23) { end = hash }
        var pathStart = authorityStart
        while pathStart < end, bytes[pathStart] != 0x2F, bytes[pathStart] != 0x3F { pathStart += 1 }
        guard pathStart > authorityStart else { return nil }
        authority = authorityStart..<pathStart
        if let q = bytes[pathStart..<end].firstIndex(of: 0x3F) {
            path = pathStart..<q
            query = (q + 1)..<end
        } else {
            path = pathStart..<end
            query = end..<end
        }
    }

    var pathBytes: ArraySlice<UInt8> { bytes[path] }
    var queryBytes: ArraySlice<UInt8> { bytes[query] }

    /// The Host header value: the authority without a default port or user info.
    var host: String {
        var a = bytes[authority]
        if let at = a.lastIndex(of: 0x40) { a = a[(at + 1)...] }
        let s = bytes[scheme]
        if s.elementsEqual("https".utf8), a.count > 4, a.suffix(4).elementsEqual(":443".utf8) { a = a.dropLast(4) }
        if s.elementsEqual("http".utf8), a.count > 3, a.suffix(3).elementsEqual(":80".utf8) { a = a.dropLast(3) }
        return String(decoding: a, as: UTF8.self)
    }
}

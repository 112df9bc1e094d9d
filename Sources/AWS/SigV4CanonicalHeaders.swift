import HTTP

/// SigV4 header canonicalisation, written straight into the canonical request: names
/// lower-cased, values trimmed with inner whitespace runs collapsed, sorted by name (stable, so
/// repeated headers keep their order and are joined with `,`), `host` taken from the URL when
/// the request has none, deny-listed headers left out.
enum SigV4CanonicalHeaders {
    /// Headers never signed (botocore's deny-list, plus the Authorization header itself).
    static let unsigned: [String] = ["authorization", "user-agent", "expect", "transfer-encoding", "x-amzn-trace-id"]

    /// Appends the canonical header lines and returns the signed-header list (`a;b;c`).
    static func append(_ headers: HTTPHeaders, host: String, to out: inout [UInt8]) -> [UInt8] {
        var entries: [(name: String, value: String)] = []
        entries.reserveCapacity(headers.count + 1)
        var sawHost = false
        for field in headers.fields {
            if HTTPHeaders.sameName(field.name, "host") { sawHost = true }
            if unsigned.contains(where: { HTTPHeaders.sameName($0, field.name) }) { continue }
            entries.append(field)
        }
        if !sawHost { entries.append((name: "host", value: host)) }
        if entries.count > 1 {
            for i in 1..<entries.count {
                let item = entries[i]
                var j = i
                while j > 0, lowerPrecedes(item.name, entries[j - 1].name) {
                    entries[j] = entries[j - 1]
                    j -= 1
                }
                if j != i { entries[j] = item }
            }
        }
        var signed: [UInt8] = []
        signed.reserveCapacity(64)
        for (i, entry) in entries.enumerated() {
            if i > 0, HTTPHeaders.sameName(entry.name, entries[i - 1].name) {
                out.append(0x2C)
                appendTrimmed(entry.value, to: &out)
                continue
            }
            if i > 0 {
                out.append(0x0A)
                signed.append(0x3B)
            }
            let start = out.count
            appendLowercased(entry.name, to: &out)
            signed.append(contentsOf: out[start...])
            out.append(0x3A)
            appendTrimmed(entry.value, to: &out)
        }
        out.append(0x0A)
        return signed
    }

    /// ASCII case-insensitive byte order of two names.
    static func lowerPrecedes(_ a: String, _ b: String) -> Bool {
        var x = a.utf8.makeIterator(), y = b.utf8.makeIterator()
        while true {
            switch (x.next(), y.next()) {
            case (nil, nil): return false
            case (nil, _): return true
            case (_, nil): return false
            case let (p?, q?):
                let lp = (p >= 0x41 && p <= 0x5A) ? p | 0x20 : p
                let lq = (q >= 0x41 && q <= 0x5A) ? q | 0x20 : q
                if lp != lq { return lp < lq }
            }
        }
    }

    static func appendLowercased(_ s: String, to out: inout [UInt8]) {
        let start = out.count
        out.append(contentsOf: s.utf8)
        out.withUnsafeMutableBufferPointer { o in
            for i in start..<o.count where o[i] >= 0x41 && o[i] <= 0x5A { o[i] |= 0x20 }
        }
    }

    /// Trims leading/trailing whitespace and collapses inner runs (spaces, tabs, folded lines) to one space.
    static func appendTrimmed(_ s: String, to out: inout [UInt8]) {
        if isClean(s) {
            out.append(contentsOf: s.utf8)
            return
        }
        var pendingSpace = false
        var wroteAny = false
        for b in s.utf8 {
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
                pendingSpace = wroteAny
            } else {
                if pendingSpace { out.append(0x20); pendingSpace = false }
                out.append(b)
                wroteAny = true
            }
        }
    }

    /// Whether `s` has no leading/trailing whitespace, no tab or line break, no double space.
    static func isClean(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { bytes in
            guard let first = bytes.first, let last = bytes.last else { return true }
            if first == 0x20 || last == 0x20 { return false }
            var previousSpace = false
            for b in bytes {
                if b <= 0x20 {
                    if b != 0x20 || previousSpace { return false }
                    previousSpace = true
                } else {
                    previousSpace = false
                }
            }
            return true
        }
    }
}

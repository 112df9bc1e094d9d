import Foundation

/// Percent-encoding for one URL path segment or query component (RFC 3986 unreserved set kept).
enum PathEncoding {
    private static let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)

    static func encode(_ s: String) -> String {
        var out = ""
        for byte in s.utf8 {
            if unreserved.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// `a=b&c=d` with both sides encoded.
    static func query(_ items: [(String, String)]) -> String {
        items.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
    }
}

/// GitHub's timestamps: ISO-8601 with `Z` or an offset, with or without fractional seconds.
///
/// Parsed by hand: an `ISO8601DateFormatter` costs tens of microseconds to create, and a webhook
/// payload carries several timestamps, which made date parsing the Producer's largest cost.
enum GitHubDate {
    static func parse(_ text: String) -> Date? {
        let utf8 = Array(text.utf8)
        // YYYY-MM-DDTHH:MM:SS, then optional .fraction, then Z or ±HH:MM (or ±HHMM).
        guard utf8.count >= 20, utf8[4] == 45, utf8[7] == 45, utf8[10] == 84 || utf8[10] == 116 || utf8[10] == 32,
            utf8[13] == 58, utf8[16] == 58,
            let year = number(utf8, 0, 4), let month = number(utf8, 5, 2), let day = number(utf8, 8, 2),
            let hour = number(utf8, 11, 2), let minute = number(utf8, 14, 2), let second = number(utf8, 17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        var fraction = 0.0
        if i < utf8.count, utf8[i] == 46 {
            i += 1
            var scale = 0.1
            let start = i
            while i < utf8.count, utf8[i] >= 48, utf8[i] <= 57 {
                fraction += Double(utf8[i] - 48) * scale
                scale /= 10
                i += 1
            }
            if i == start { return nil }
        }
        guard i < utf8.count else { return nil }
        var offset = 0
        switch utf8[i] {
        case 90, 122:  // Z
            guard i + 1 == utf8.count else { return nil }
        case 43, 45:  // + or -
            let sign = utf8[i] == 43 ? 1 : -1
            let rest = Array(utf8[(i + 1)...]).filter { $0 != 58 }
            guard rest.count == 4, let oh = number(rest, 0, 2), let om = number(rest, 2, 2), oh < 24, om < 60 else { return nil }
            offset = sign * (oh * 3600 + om * 60)
        default:
            return nil
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    static func format(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }

    private static func number(_ bytes: [UInt8], _ start: Int, _ count: Int) -> Int? {
        guard start + count <= bytes.count else { return nil }
        var value = 0
        for b in bytes[start..<(start + count)] {
            guard b >= 48, b <= 57 else { return nil }
            value = value * 10 + Int(b - 48)
        }
        return value
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// The shared decoder for GitHub JSON: ISO-8601 dates in any of GitHub's forms.
    static let sharedDecoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { d in
            let c = try d.singleValueContainer()
            let text = try c.decode(String.self)
            guard let date = parse(text) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "not an ISO-8601 timestamp")
            }
            return date
        }
        return decoder
    }()

    /// A decoder for GitHub JSON (the shared one: decoding does not mutate it).
    static func decoder() -> JSONDecoder { sharedDecoder }
}

/// RFC 8288 `Link` header: GitHub's pagination (`<url>; rel="next"`).
enum LinkHeader {
    /// The URL of the link with relation `rel`, if present.
    static func url(_ header: String?, rel: String) -> String? {
        guard let header else { return nil }
        for part in header.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let first = pieces.first, first.hasPrefix("<"), first.hasSuffix(">") else { continue }
            let rels = pieces.dropFirst().compactMap { p -> String? in
                let kv = p.split(separator: "=", maxSplits: 1)
                guard kv.count == 2, kv[0].trimmingCharacters(in: .whitespaces).lowercased() == "rel" else { return nil }
                return kv[1].trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
            }
            if rels.contains(where: { $0.split(separator: " ").contains(Substring(rel)) }) {
                return String(first.dropFirst().dropLast())
            }
        }
        return nil
    }

    /// The value of query parameter `name` in `url`.
    static func queryValue(_ url: String, _ name: String) -> String? {
        URLComponents(string: url)?.queryItems?.first { $0.name == name }?.value
    }
}

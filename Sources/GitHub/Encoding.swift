import Foundation
import HTTP

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
enum GitHubDate {
    /// GitHub's timestamps are RFC 3339 date-times (`ISO8601Timestamp`, shared with the other clients).
    static func parse(_ text: String) -> Date? { ISO8601Timestamp.parse(text) }

    /// `2026-11-29T10:00:00Z`, for logs.
    static func format(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
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

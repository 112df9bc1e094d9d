import Foundation
import HTTP
import HTTPClient

/// Reads files from the test bundle's `Fixtures` folder.
enum Fixture {
    static var root: URL { Bundle.module.resourceURL!.appendingPathComponent("Fixtures") }

    static func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    static func text(_ path: String) throws -> String {
        try String(contentsOf: url(path), encoding: .utf8)
    }

    static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: url(path)))
    }

    static func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url(path))) as? [String: Any] ?? [:]
    }

    /// Folders (relative to `base`) that contain a file named `marker` or ending in `suffix`.
    static func caseFolders(under base: String, containing predicate: (String) -> Bool) -> [String] {
        let baseURL = url(base)
        guard let e = FileManager.default.enumerator(at: baseURL, includingPropertiesForKeys: nil) else { return [] }
        var result = Set<String>()
        for case let file as URL in e where predicate(file.lastPathComponent) {
            let dir = file.deletingLastPathComponent().path
            result.insert(String(dir.dropFirst(baseURL.path.count + 1)))
        }
        return result.sorted()
    }
}

/// A raw HTTP/1.1 request as written in the test suites (`METHOD target HTTP/1.1`, headers,
/// folded continuation lines, blank line, body).
struct RawRequest {
    var method: String
    var target: String
    var headers: HTTPHeaders
    var body: [UInt8]

    init(_ text: String) {
        var lines = text.components(separatedBy: "\n")
        let requestLine = lines.removeFirst()
        let firstSpace = requestLine.firstIndex(of: " ")!
        method = String(requestLine[..<firstSpace])
        var rest = requestLine[requestLine.index(after: firstSpace)...]
        if let r = rest.range(of: " HTTP/1.1", options: .backwards) { rest = rest[..<r.lowerBound] }
        target = String(rest)
        headers = HTTPHeaders()
        var fields: [(String, String)] = []
        var bodyLines: [String] = []
        var inBody = false
        for line in lines {
            if inBody { bodyLines.append(line); continue }
            if line.isEmpty { inBody = true; continue }
            if line.first == " " || line.first == "\t", !fields.isEmpty {
                fields[fields.count - 1].1 += "\n" + line
                continue
            }
            let colon = line.firstIndex(of: ":")!
            fields.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
        }
        for (n, v) in fields { headers.add(n, v) }
        body = Array(bodyLines.joined(separator: "\n").utf8)
    }

    /// A `ClientRequest` for `https://<Host><target>` without the Host header (the signer
    /// derives it from the URL) unless `keepHost`.
    func clientRequest() -> ClientRequest {
        ClientRequest(method: method, url: "https://" + (headers["Host"] ?? "") + target, headers: headers, body: body)
    }
}

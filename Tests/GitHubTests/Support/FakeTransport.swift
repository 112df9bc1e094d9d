import Foundation
import HTTP
import HTTPClient
import Testing

/// A transport that records every request and answers from a handler, in order.
actor FakeTransport: HTTPTransport {
    typealias Handler = @Sendable (ClientRequest) async throws -> ClientResponse

    private(set) var requests: [ClientRequest] = []
    private var handler: Handler

    init(_ handler: @escaping Handler) {
        self.handler = handler
    }

    func execute(_ request: ClientRequest) async throws -> ClientResponse {
        requests.append(request)
        return try await handler(request)
    }

    func setHandler(_ handler: @escaping Handler) {
        self.handler = handler
    }

    /// Requests whose path (URL without query) ends with `suffix`.
    func count(pathSuffix suffix: String, method: String? = nil) -> Int {
        requests.filter { r in
            (method == nil || r.method == method) && (r.url.split(separator: "?").first.map(String.init) ?? r.url).hasSuffix(suffix)
        }.count
    }
}

extension ClientResponse {
    /// A JSON answer.
    static func json(_ status: Int, _ text: String, headers: [(String, String)] = []) -> ClientResponse {
        var h = HTTPHeaders([("Content-Type", "application/json; charset=utf-8")])
        for (name, value) in headers { h.add(name, value) }
        return ClientResponse(status: status, headers: h, body: Array(text.utf8))
    }

    /// A JSON answer from a fixture file.
    static func fixture(_ status: Int, _ path: String, headers: [(String, String)] = []) throws -> ClientResponse {
        .json(status, try Fixtures.text(path), headers: headers)
    }
}

extension ClientRequest {
    /// Path and query of the URL.
    var path: String {
        guard let range = url.range(of: "://") else { return url }
        let rest = url[range.upperBound...]
        return rest.firstIndex(of: "/").map { String(rest[$0...]) } ?? "/"
    }

    /// Path without the query.
    var pathOnly: String { String(path.split(separator: "?", maxSplits: 1).first ?? "") }

    /// The value of a query parameter.
    func query(_ name: String) -> String? {
        URLComponents(string: url)?.queryItems?.first { $0.name == name }?.value
    }

    /// The body as a JSON object.
    var jsonBody: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }
}

/// Loads files from the test bundle's Fixtures directory.
enum Fixtures {
    static func url(_ path: String) throws -> URL {
        try #require(Bundle.module.url(forResource: "Fixtures/" + path, withExtension: nil), "missing fixture \(path)")
    }

    static func data(_ path: String) throws -> Data { try Data(contentsOf: url(path)) }
    static func text(_ path: String) throws -> String { try String(contentsOf: url(path), encoding: .utf8) }
}

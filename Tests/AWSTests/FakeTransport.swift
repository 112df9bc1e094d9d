import HTTP
import HTTPClient

/// A transport that records requests and answers from a script (one response per call,
/// the last one repeated).
final class FakeTransport: HTTPTransport, @unchecked Sendable {
    // Safety: `requests` and `index` are only touched while holding `lock`.
    private let lock = NSLockShim()
    private var recorded: [ClientRequest] = []
    private var index = 0
    let responses: [Result<ClientResponse, HTTPClientError>]

    init(_ responses: [Result<ClientResponse, HTTPClientError>]) { self.responses = responses }

    convenience init(status: Int = 200, headers: HTTPHeaders = HTTPHeaders(), body: String) {
        self.init([.success(ClientResponse(status: status, headers: headers, body: Array(body.utf8)))])
    }

    var requests: [ClientRequest] { lock.withLock { recorded } }

    func execute(_ request: ClientRequest) async throws -> ClientResponse {
        let result: Result<ClientResponse, HTTPClientError> = lock.withLock {
            recorded.append(request)
            defer { index += 1 }
            return responses[min(index, responses.count - 1)]
        }
        return try result.get()
    }
}

import Foundation
typealias NSLockShim = NSLock

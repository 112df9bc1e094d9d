import Foundation
import HTTP
import HTTPClient
@testable import Kubernetes

/// Records requests and answers from a script (the last answer repeats).
final class FakeTransport: HTTPTransport, @unchecked Sendable {
    // Safety: `recorded` and `index` are only touched while holding `lock`.
    private let lock = NSLock()
    private var recorded: [ClientRequest] = []
    private var index = 0
    let responses: [ClientResponse]

    init(_ responses: [(Int, HTTPHeaders, String)]) {
        self.responses = responses.map { ClientResponse(status: $0.0, headers: $0.1, body: Array($0.2.utf8)) }
    }

    var requests: [ClientRequest] { lock.withLock { recorded } }

    func execute(_ request: ClientRequest) async throws -> ClientResponse {
        lock.withLock {
            recorded.append(request)
            defer { index += 1 }
            return responses[min(index, responses.count - 1)]
        }
    }
}

/// Counts invalidations; hands out numbered tokens.
actor CountingTokens: KubernetesTokenProvider {
    var generation = 0
    func token() async throws -> String { "token-\(generation)" }
    func invalidate() async { generation += 1 }
}

func status(_ code: Int, _ reason: String, _ message: String) -> String {
    #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"\#(message)","reason":"\#(reason)","code":\#(code)}"#
}

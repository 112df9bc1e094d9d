import Foundation
import HTTP
import HTTPClient
import Logging

/// Supplies the bearer token for the API server (an EKS token, regenerated before it expires).
public protocol KubernetesTokenProvider: Sendable {
    /// A currently valid token.
    func token() async throws -> String
    /// Forgets a cached token (called after a 401).
    func invalidate() async
}

/// A client for one cluster's API server: Pods and Secrets in a namespace.
///
/// TLS trusts only the cluster CA given in memory (`ClientRequest.caBundlePEM`). 429 and 5xx
/// are retried with jittered backoff honouring `Retry-After`; a 401 drops the cached token and
/// tries once more with a fresh one.
public struct KubernetesClient: Sendable {
    /// API server base URL, e.g. `https://ABC.gr7.us-east-1.eks.amazonaws.com`.
    public let endpoint: String
    /// PEM bundle of the cluster CA.
    public let caBundlePEM: [UInt8]
    let transport: any HTTPTransport
    let tokens: any KubernetesTokenProvider
    let maxAttempts: Int
    let baseDelay: Duration
    let timeout: Duration
    let logger: Logger

    /// Creates a client.
    public init(
        endpoint: String, caBundlePEM: [UInt8], transport: any HTTPTransport, tokens: any KubernetesTokenProvider,
        maxAttempts: Int = 3, baseDelay: Duration = .milliseconds(200), timeout: Duration = .seconds(15),
        logger: Logger = Logger(label: "runway.kubernetes")
    ) {
        var endpoint = endpoint
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        self.endpoint = endpoint
        self.caBundlePEM = caBundlePEM
        self.transport = transport
        self.tokens = tokens
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.timeout = timeout
        self.logger = logger
    }

    /// Sends one call; returns the 2xx response or throws `KubernetesError`.
    func send(method: String, path: String, body: [UInt8] = []) async throws(KubernetesError) -> ClientResponse {
        var attempt = 0
        var refreshedToken = false
        while true {
            attempt += 1
            let token: String
            do { token = try await tokens.token() } catch {
                throw KubernetesError(reason: .token, status: nil, message: "no token for the API server: \(type(of: error))")
            }
            var headers: HTTPHeaders = ["Authorization": "Bearer " + token, "Accept": "application/json"]
            if !body.isEmpty { headers.add("Content-Type", "application/json") }
            let request = ClientRequest(method: method, url: endpoint + path, headers: headers, body: body,
                                        timeout: timeout, caBundlePEM: caBundlePEM)
            let failure: KubernetesError
            do {
                let response = try await transport.execute(request)
                if (200..<300).contains(response.status) { return response }
                failure = KubernetesError.from(response)
            } catch let error as HTTPClientError {
                failure = KubernetesError(reason: .transport, status: nil, message: "\(error.code.rawValue): \(error.message)")
                if error.code == .tls || error.code == .invalidURL { throw failure }
            } catch {
                throw KubernetesError(reason: .transport, status: nil, message: "transport failure")
            }
            logger.debug("Kubernetes call failed", metadata: [
                "k8s.method": "\(method)", "k8s.reason": "\(failure.reason.rawValue)", "http.status": "\(failure.status ?? 0)",
            ])
            if failure.status == 401, !refreshedToken {
                refreshedToken = true
                await tokens.invalidate()
                continue
            }
            guard failure.retryable, attempt < maxAttempts else { throw failure }
            let ceiling = min(baseDelay * (1 << min(attempt - 1, 10)), .seconds(20))
            let delay = failure.retryAfter.map { min($0, .seconds(20)) } ?? ceiling * Double.random(in: 0...1)
            do { try await Task.sleep(for: delay) } catch {
                throw KubernetesError(reason: "Cancelled", status: nil, message: "cancelled during retry backoff")
            }
        }
    }

    static func path(namespace: String, plural: String, name: String? = nil) -> String {
        var p = "/api/v1/namespaces/\(encode(namespace))/\(plural)"
        if let name { p += "/" + encode(name) }
        return p
    }

    static func encode(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? s
    }

    static func decode<T: Decodable>(_ type: T.Type, _ response: ClientResponse) throws(KubernetesError) -> T {
        do { return try JSONDecoder().decode(T.self, from: Data(response.body)) } catch {
            throw KubernetesError(reason: .malformedResponse, status: response.status, message: "response is not a valid \(T.self)")
        }
    }
}

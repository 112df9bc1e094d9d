/// The seam clients (AWS, GitHub, Kubernetes, service-to-service) depend on: send one request,
/// get one complete response. `HTTPClient` is the libcurl implementation; tests may supply fakes.
public protocol HTTPTransport: Sendable {
    /// Performs the request (with its retry policy, if any). Throws `HTTPClientError` only when
    /// no HTTP response was obtained; any status code is a successful return.
    func execute(_ request: ClientRequest) async throws -> ClientResponse
}

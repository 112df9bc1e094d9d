import RunwayTestSupport
import Foundation
import HTTP
import HTTPClient
import Testing
@testable import AWS

/// The moto server `scripts/test-env.sh` starts (signature checking on) and a libcurl transport.
struct Moto {
    let environment: MotoEnvironment
    let transport = HTTPClient()
    var url: String { environment.url }
    var credentials: AWSCredentials { environment.credentials }

    init() throws {
        environment = try MotoEnvironment()
    }

    var configuration: AWSConfiguration {
        get throws { try AWSConfiguration(environment: ["AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": url]) }
    }

    func client(credentials: AWSCredentials? = nil, transport: (any HTTPTransport)? = nil) throws -> AWSClient {
        AWSClient(transport: transport ?? self.transport, credentials: StaticCredentialsProvider(credentials ?? self.credentials),
                  configuration: try configuration, retryPolicy: AWSRetryPolicy(maxAttempts: 1))
    }

    /// Credentials with the right key id and a wrong secret.
    var wrongSecret: AWSCredentials {
        var c = credentials
        c.secretAccessKey = String(c.secretAccessKey.reversed())
        return c
    }

    /// A signed Query call to a service Runway has no client for (IAM setup in tests).
    func query(service: String, body: String) async throws -> ClientResponse {
        try await environment.query(service: service, body: body, transport: transport)
    }
}

/// Flips one hex digit of the signature after signing: the server must reject the call.
struct TamperingTransport: HTTPTransport {
    let inner: any HTTPTransport

    func execute(_ request: ClientRequest) async throws -> ClientResponse {
        var r = request
        if var auth = r.headers["Authorization"], let last = auth.popLast() {
            auth.append(last == "0" ? "1" : "0")
            r.headers.set("Authorization", auth)
        }
        return try await inner.execute(r)
    }
}

import Foundation
import HTTP
import HTTPClient
@testable import AWS

enum TestAWS {
    static let date = Date(timeIntervalSince1970: 1_440_938_160) // 2015-08-30T12:36:00Z
    static let credentials = AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")

    static func client(_ transport: FakeTransport, region: String = "us-east-1", attempts: Int = 3) throws -> AWSClient {
        AWSClient(transport: transport, credentials: StaticCredentialsProvider(credentials),
                  configuration: try AWSConfiguration(region: region),
                  retryPolicy: AWSRetryPolicy(maxAttempts: attempts, baseDelay: .milliseconds(1), maxDelay: .milliseconds(5)),
                  now: { date })
    }

    static func response(_ status: Int, _ body: String, headers: HTTPHeaders = HTTPHeaders()) -> Result<ClientResponse, HTTPClientError> {
        .success(ClientResponse(status: status, headers: headers, body: Array(body.utf8)))
    }

    static func ec2Error(_ code: String, status: Int = 400) -> Result<ClientResponse, HTTPClientError> {
        response(status, "<Response><Errors><Error><Code>\(code)</Code><Message>m</Message></Error></Errors><RequestID>req-1</RequestID></Response>")
    }
}

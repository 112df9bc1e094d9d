import Foundation
import HTTPClient

/// Turns AWS error responses (Query XML, EC2 XML, REST-JSON) into `AWSError`.
enum AWSErrorDecoding {
    /// The request id from the usual headers.
    static func headerRequestId(_ response: ClientResponse) -> String? {
        response.headers["x-amzn-RequestId"] ?? response.headers["x-amz-request-id"] ?? response.headers["x-amzn-requestid"]
    }

    /// EC2 (`<Response><Errors><Error>…</Errors><RequestID>`) and Query-protocol
    /// (`<ErrorResponse><Error>…</Error><RequestId>`) error bodies.
    static func xml(_ response: ClientResponse) -> AWSError {
        let headerId = headerRequestId(response)
        guard let root = try? XMLReader.parse(response.body) else {
            return fallback(response, requestId: headerId)
        }
        let error = root.path("Errors", "Error") ?? root.child("Error")
        let requestId = root.string("RequestID") ?? root.string("RequestId") ?? root.string("requestId") ?? headerId
        guard let error, let code = error.string("Code") else { return fallback(response, requestId: requestId) }
        return AWSError(code: AWSError.Code(rawValue: code), message: error.string("Message") ?? code,
                        requestId: requestId, status: response.status)
    }

    /// REST-JSON errors: `x-amzn-ErrorType` header or `__type`/`code` field, `message`/`Message`.
    static func json(_ response: ClientResponse) -> AWSError {
        let requestId = headerRequestId(response)
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        let type = response.headers["x-amzn-ErrorType"] ?? object?["__type"] as? String ?? object?["code"] as? String
        guard var code = type else {
            // Some front ends (and moto's signature checks) answer REST-JSON calls with XML.
            let xmlError = xml(response)
            return xmlError.code == .malformedResponse || xmlError.code.rawValue.hasPrefix("HTTP") ? fallback(response, requestId: requestId) : xmlError
        }
        // "ResourceNotFoundException:http://internal.amazon.com/…" and "aws.eks#ResourceNotFoundException".
        if let colon = code.firstIndex(of: ":") { code = String(code[..<colon]) }
        if let hash = code.lastIndex(of: "#") { code = String(code[code.index(after: hash)...]) }
        let message = object?["message"] as? String ?? object?["Message"] as? String ?? code
        return AWSError(code: AWSError.Code(rawValue: code), message: message, requestId: requestId, status: response.status)
    }

    /// A response that is not an AWS error document (proxy HTML page, truncated body).
    static func fallback(_ response: ClientResponse, requestId: String?) -> AWSError {
        let kind = response.headers["Content-Type"]?.lowercased().contains("html") == true ? "an HTML page" : "an unreadable body"
        let transient = response.status >= 500 || response.status == 429
        return AWSError(code: transient ? AWSError.Code(rawValue: "HTTP\(response.status)") : .malformedResponse,
                        message: "HTTP \(response.status) with \(kind) instead of an AWS error document",
                        requestId: requestId, status: response.status,
                        retryable: transient)
    }
}

import Foundation
import HTTP
import HTTPClient

/// Who the credentials belong to.
public struct CallerIdentity: Sendable, Equatable {
    /// The account id.
    public var account: String
    /// The principal's ARN.
    public var arn: String
    /// The unique id of the principal.
    public var userId: String
}

/// STS over the Query API (`Version=2011-06-15`).
public struct STSClient: Sendable {
    /// The API version.
    public static let version = "2011-06-15"
    /// The signing/sending machinery.
    public let client: AWSClient

    /// Creates a client.
    public init(client: AWSClient) { self.client = client }

    /// GetCallerIdentity: proves the credentials work (allowed even under an explicit Deny).
    public func getCallerIdentity() async throws(AWSError) -> CallerIdentity {
        let response = try await client.send(
            service: .sts, operation: "GetCallerIdentity", method: "POST", path: "/",
            headers: ["Content-Type": EC2Query.contentType], body: Array("Action=GetCallerIdentity&Version=\(Self.version)".utf8),
            decodeError: AWSErrorDecoding.xml)
        return try Self.decodeCallerIdentity(response.body)
    }

    /// Decodes a `GetCallerIdentityResponse`.
    public static func decodeCallerIdentity(_ body: [UInt8]) throws(AWSError) -> CallerIdentity {
        guard let root = try? XMLReader.parse(body), root.name == "GetCallerIdentityResponse",
              let result = root.child("GetCallerIdentityResult"),
              let account = result.string("Account"), let arn = result.string("Arn") else {
            throw AWSError.malformed("GetCallerIdentity response is not the expected XML", status: 200, requestId: nil)
        }
        return CallerIdentity(account: account, arn: arn, userId: result.string("UserId") ?? "")
    }
}

import Foundation

/// An AWS access key, optionally temporary (a session token and an expiry).
///
/// `description` never shows the secret or the session token, so a value can be logged.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible {
    /// The access key id (`AKIA…` for long-term keys, `ASIA…` for temporary ones).
    public var accessKeyId: String
    /// The secret access key.
    public var secretAccessKey: String
    /// The session token of temporary credentials; signed as `X-Amz-Security-Token`.
    public var sessionToken: String?
    /// When temporary credentials stop working; nil for long-term keys.
    public var expiration: Date?

    /// Creates credentials.
    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    /// Whether the credentials expire within `margin` of `now`.
    public func expires(within margin: TimeInterval, of now: Date) -> Bool {
        guard let expiration else { return false }
        return expiration.timeIntervalSince(now) <= margin
    }

    public var description: String {
        "AWSCredentials(accessKeyId: \(accessKeyId), secret: <redacted>, session: \(sessionToken == nil ? "no" : "yes"))"
    }
}

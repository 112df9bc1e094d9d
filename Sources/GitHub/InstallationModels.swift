import Foundation

/// A GitHub App installation (`GET /repos/{owner}/{repo}/installation`, `/orgs/{org}/installation`).
public struct Installation: Decodable, Sendable, Equatable {
    /// The installation id that installation tokens are minted for.
    public var id: Int64
    /// The account the App is installed on.
    public var account: Account?
    /// The App's id.
    public var appID: Int64?
    /// `Organization`, `User` or `Enterprise`.
    public var targetType: String?
    /// `all` or `selected`.
    public var repositorySelection: String?
    /// Permission name → `read`/`write`.
    public var permissions: [String: String]
    /// When the installation was suspended; a suspended installation cannot mint tokens.
    public var suspendedAt: Date?

    /// The installed-on account.
    public struct Account: Decodable, Sendable, Equatable {
        /// Login (org or user name; enterprises have `slug` instead).
        public var login: String?
        /// Account id.
        public var id: Int64?
        /// `Organization` or `User`.
        public var type: String?
    }

    enum CodingKeys: String, CodingKey {
        case id, account, permissions
        case appID = "app_id"
        case targetType = "target_type"
        case repositorySelection = "repository_selection"
        case suspendedAt = "suspended_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int64.self, forKey: .id)
        account = try c.decodeIfPresent(Account.self, forKey: .account)
        appID = try c.decodeIfPresent(Int64.self, forKey: .appID)
        targetType = try c.decodeIfPresent(String.self, forKey: .targetType)
        repositorySelection = try c.decodeIfPresent(String.self, forKey: .repositorySelection)
        permissions = try c.decodeIfPresent([String: String].self, forKey: .permissions) ?? [:]
        suspendedAt = try c.decodeIfPresent(Date.self, forKey: .suspendedAt)
    }
}

/// An installation access token (`POST /app/installations/{id}/access_tokens`, 201).
///
/// A credential: `description`, `debugDescription` and mirrors never show it.
public struct InstallationToken: Sendable, Decodable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The `ghs_…` token; never log it.
    public var value: String
    /// When GitHub stops accepting it (one hour after minting).
    public var expiresAt: Date
    /// Permission name → `read`/`write`, as granted.
    public var permissions: [String: String]
    /// `all` or `selected`.
    public var repositorySelection: String?

    /// Creates a token value.
    public init(value: String, expiresAt: Date, permissions: [String: String] = [:], repositorySelection: String? = nil) {
        self.value = value
        self.expiresAt = expiresAt
        self.permissions = permissions
        self.repositorySelection = repositorySelection
    }

    enum CodingKeys: String, CodingKey {
        case value = "token"
        case expiresAt = "expires_at"
        case permissions
        case repositorySelection = "repository_selection"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        value = try c.decode(String.self, forKey: .value)
        expiresAt = try c.decode(Date.self, forKey: .expiresAt)
        permissions = try c.decodeIfPresent([String: String].self, forKey: .permissions) ?? [:]
        repositorySelection = try c.decodeIfPresent(String.self, forKey: .repositorySelection)
    }

    public var description: String { "InstallationToken(<redacted>, expires_at: \(expiresAt))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["expiresAt": expiresAt]) }
}

import Foundation
import Signing

/// Mints the JSON Web Tokens a GitHub App uses to call `/app/...` endpoints.
///
/// RS256 with the App's private key; `iat` is backdated 60 s for clock drift and `exp` is at
/// most 10 minutes after now, as GitHub requires ("Generating a JSON Web Token (JWT) for a
/// GitHub App"); `iss` is the App's client ID or numeric App ID.
public struct AppJWTSigner: Sendable {
    /// The `iss` claim: client ID (recommended) or App ID.
    public let issuer: String
    /// Seconds `iat` lies before now (default 60).
    public let backdate: Int
    /// Seconds `exp` lies after now; clamped to 1…600 (default 540, leaving a margin under
    /// GitHub's 10-minute cap for clock skew).
    public let lifetime: Int
    private let signer: RSASigner

    /// Creates a signer; `lifetime` is clamped to GitHub's 10-minute maximum.
    public init(issuer: String, signer: RSASigner, backdate: Int = 60, lifetime: Int = 540) {
        self.issuer = issuer
        self.signer = signer
        self.backdate = max(0, backdate)
        self.lifetime = min(600, max(1, lifetime))
    }

    /// A signed JWT valid from `now - backdate` to `now + lifetime`.
    public func token(now: Date) throws(GitHubError) -> AppJWT {
        let seconds = Int(now.timeIntervalSince1970.rounded(.down))
        let header = #"{"alg":"RS256","typ":"JWT"}"#
        let claims = Claims(iat: seconds - backdate, exp: seconds + lifetime, iss: issuer)
        let payload: Data
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            payload = try encoder.encode(claims)
        } catch {
            throw GitHubError(code: .invalidRequest, message: "cannot encode JWT claims")
        }
        let signingInput = Base64.urlEncode(Array(header.utf8)) + "." + Base64.urlEncode(payload)
        let signature: [UInt8]
        do {
            signature = try signer.sign(Array(signingInput.utf8))
        } catch {
            throw GitHubError(code: .invalidRequest, message: "cannot sign the App JWT: \(error.message)")
        }
        return AppJWT(value: signingInput + "." + Base64.urlEncode(signature),
                      expiresAt: Date(timeIntervalSince1970: TimeInterval(claims.exp)))
    }

    private struct Claims: Encodable {
        var iat: Int
        var exp: Int
        var iss: String
    }
}

/// A signed App JWT. Its `description` never shows the token.
public struct AppJWT: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The compact JWS (`header.payload.signature`); a credential, never log it.
    public let value: String
    /// The `exp` claim.
    public let expiresAt: Date

    /// Wraps a token.
    public init(value: String, expiresAt: Date) {
        self.value = value
        self.expiresAt = expiresAt
    }

    public var description: String { "AppJWT(<redacted>, expires_at: \(expiresAt))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["expiresAt": expiresAt]) }
}

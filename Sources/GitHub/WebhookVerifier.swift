import Foundation
import Signing

/// Why a webhook delivery was rejected. Carries no secret and no body.
public enum WebhookVerificationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No `X-Hub-Signature-256` header.
    case missingSignature
    /// Only the legacy SHA-1 `X-Hub-Signature` was sent; SHA-1 signatures are refused.
    case sha1Only
    /// The header is not `sha256=` followed by 64 hex digits.
    case malformedSignature
    /// No configured secret produces this signature.
    case mismatch

    public var description: String {
        switch self {
        case .missingSignature: return "X-Hub-Signature-256 header is missing"
        case .sha1Only: return "only a SHA-1 signature was sent; X-Hub-Signature-256 is required"
        case .malformedSignature: return "X-Hub-Signature-256 is malformed"
        case .mismatch: return "X-Hub-Signature-256 does not match"
        }
    }
}

/// Checks GitHub's `X-Hub-Signature-256`: `sha256=` + hex HMAC-SHA256 of the raw body keyed
/// with the webhook secret, compared in constant time (GitHub docs, "Validating webhook
/// deliveries"). Several secrets may be configured so a secret can be rotated without losing
/// deliveries; every secret is tried.
public struct WebhookVerifier: Sendable {
    private let keys: [[UInt8]]

    /// Creates a verifier; empty secrets are ignored. With no secret nothing verifies.
    public init(secrets: [String]) {
        keys = secrets.filter { !$0.isEmpty }.map { Array($0.utf8) }
    }

    /// Whether at least one secret is configured.
    public var isConfigured: Bool { !keys.isEmpty }

    /// Verifies the raw body against the signature headers (values as received).
    /// - Parameters:
    ///   - signature256: the `X-Hub-Signature-256` value, if present.
    ///   - signatureSHA1: the legacy `X-Hub-Signature` value, if present (only used to give a
    ///     clearer error; it is never accepted).
    public func verify<Body: Collection<UInt8>>(body: Body, signature256: String?,
                                                signatureSHA1: String? = nil) throws(WebhookVerificationError) {
        guard let header = signature256?.trimmingCharacters(in: .whitespaces), !header.isEmpty else {
            throw signatureSHA1 == nil ? .missingSignature : .sha1Only
        }
        let prefix = "sha256="
        guard header.count == prefix.count + 64, header.lowercased().hasPrefix(prefix),
            let given = Hex.decode(String(header.dropFirst(prefix.count))) else {
            throw .malformedSignature
        }
        let bytes = Array(body)
        var matched = false
        for key in keys {
            // No early exit: every secret costs the same whichever one matches.
            if ConstantTime.equals(Digest.hmacSHA256(key: key, data: bytes), given) { matched = true }
        }
        guard matched else { throw .mismatch }
    }

    /// The `X-Hub-Signature-256` value for `body` under `secret` (for tests and tools).
    public static func signature<Body: Collection<UInt8>>(body: Body, secret: String) -> String {
        "sha256=" + Hex.encode(Digest.hmacSHA256(key: Array(secret.utf8), data: Array(body)))
    }
}

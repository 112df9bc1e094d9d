import COpenSSL

/// Why an RSA private key could not be loaded or used. Never carries key material.
public struct RSASignerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for callers to match.
    public enum Code: String, Sendable {
        /// The text is not a PEM private key OpenSSL can read (PKCS#1 or PKCS#8, unencrypted).
        case invalidPEM
        /// The key is not an RSA key.
        case notRSA
        /// The key is shorter than 2048 bits.
        case keyTooSmall
        /// OpenSSL failed while signing.
        case signingFailed
    }

    /// The failure kind.
    public var code: Code
    /// A message safe to log.
    public var message: String

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "RSASignerError(\(code.rawValue)): \(message)" }
}

/// RSASSA-PKCS1-v1_5 with SHA-256 (JWS `RS256`, RFC 7518 §3.3) over an RSA private key held by
/// OpenSSL.
///
/// The single owner of its `EVP_PKEY*`, freed in `deinit`. Loads PEM in PKCS#1
/// (`BEGIN RSA PRIVATE KEY`, what GitHub hands out) or PKCS#8 (`BEGIN PRIVATE KEY`) form.
public final class RSASigner: @unchecked Sendable {
    // Safety: the EVP_PKEY is written once in init and only read afterwards; OpenSSL allows
    // concurrent signing with one key as long as each signature uses its own EVP_MD_CTX, which
    // `sign` creates per call.
    private let key: OpaquePointer
    /// Modulus size in bits.
    public let bits: Int

    /// Loads an unencrypted PEM private key; throws `RSASignerError` without echoing the text.
    public init(pem: String) throws(RSASignerError) {
        let bytes = Array(pem.utf8)
        guard !bytes.isEmpty else { throw RSASignerError(code: .invalidPEM, message: "empty private key") }
        let loaded: OpaquePointer? = bytes.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return nil }
            defer { BIO_free(bio) }
            // A nil password callback with a nil user pointer makes an encrypted key fail instead
            // of prompting on the terminal.
            return PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil)
        }
        ERR_clear_error()
        guard let loaded else {
            throw RSASignerError(code: .invalidPEM, message: "not a readable unencrypted PEM private key (PKCS#1 or PKCS#8)")
        }
        guard EVP_PKEY_get_base_id(loaded) == EVP_PKEY_RSA else {
            EVP_PKEY_free(loaded)
            throw RSASignerError(code: .notRSA, message: "private key is not an RSA key")
        }
        let bits = Int(EVP_PKEY_get_bits(loaded))
        guard bits >= 2048 else {
            EVP_PKEY_free(loaded)
            throw RSASignerError(code: .keyTooSmall, message: "RSA key has \(bits) bits; at least 2048 are required")
        }
        self.key = loaded
        self.bits = bits
    }

    deinit {
        EVP_PKEY_free(key)
    }

    /// The RS256 signature of `message` (`bits / 8` bytes).
    public func sign<Bytes: Collection<UInt8>>(_ message: Bytes) throws(RSASignerError) -> [UInt8] {
        guard let ctx = EVP_MD_CTX_new() else {
            throw RSASignerError(code: .signingFailed, message: "EVP_MD_CTX_new failed")
        }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestSignInit(ctx, nil, EVP_sha256(), nil, key) == 1 else {
            ERR_clear_error()
            throw RSASignerError(code: .signingFailed, message: "EVP_DigestSignInit failed")
        }
        let input = Array(message)
        var length = 0
        var signature = [UInt8](repeating: 0, count: bits / 8 + 16)
        let ok = input.withUnsafeBufferPointer { msg in
            signature.withUnsafeMutableBufferPointer { out in
                length = out.count
                return EVP_DigestSign(ctx, out.baseAddress, &length, msg.baseAddress, msg.count)
            }
        }
        guard ok == 1 else {
            ERR_clear_error()
            throw RSASignerError(code: .signingFailed, message: "EVP_DigestSign failed")
        }
        return Array(signature.prefix(length))
    }
}

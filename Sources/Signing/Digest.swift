import COpenSSL

/// SHA-256 and HMAC-SHA256 over OpenSSL's libcrypto.
public enum Digest {
    /// SHA-256 of `data` (32 bytes).
    public static func sha256<Bytes: Collection<UInt8>>(_ data: Bytes) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        let ok = withContiguousBytes(data) { buf in
            out.withUnsafeMutableBufferPointer { o in
                EVP_Digest(buf.baseAddress, buf.count, o.baseAddress, nil, EVP_sha256(), nil)
            }
        }
        // EVP_Digest with a built-in algorithm fails only on allocation failure.
        precondition(ok == 1, "EVP_Digest(SHA-256) failed")
        return out
    }

    /// HMAC-SHA256 of `data` keyed with `key` (32 bytes).
    public static func hmacSHA256<K: Collection<UInt8>, D: Collection<UInt8>>(key: K, data: D) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 32
        let result = withContiguousBytes(key) { k in
            withContiguousBytes(data) { d in
                out.withUnsafeMutableBufferPointer { o in
                    // OpenSSL treats a NULL key pointer as "no key"; pass a valid pointer for empty keys.
                    withUnsafePointer(to: UInt8(0)) { zero in
                        HMAC(EVP_sha256(), k.baseAddress ?? UnsafeRawPointer(zero), Int32(k.count),
                             d.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? zero, d.count,
                             o.baseAddress, &length)
                    }
                }
            }
        }
        precondition(result != nil && length == 32, "HMAC(SHA-256) failed")
        return out
    }

    /// Hex SHA-256 of a UTF-8 string.
    public static func sha256Hex(_ string: String) -> String {
        Hex.encode(sha256(Array(string.utf8)))
    }

    private static func withContiguousBytes<Bytes: Collection<UInt8>, R>(
        _ bytes: Bytes, _ body: (UnsafeRawBufferPointer) -> R
    ) -> R {
        if let r = bytes.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) { return r }
        return Array(bytes).withUnsafeBytes(body)
    }
}

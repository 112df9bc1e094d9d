import Foundation

/// Base64 and base64url (RFC 4648 §5) helpers.
public enum Base64 {
    /// Standard base64 with padding.
    public static func encode<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        Data(bytes).base64EncodedString()
    }

    /// Decodes standard base64 (padding optional, whitespace ignored); nil when malformed.
    public static func decode(_ string: String) -> [UInt8]? {
        var s = string.filter { !$0.isWhitespace }
        let rem = s.count % 4
        if rem == 1 { return nil }
        if rem > 0 { s += String(repeating: "=", count: 4 - rem) }
        return Data(base64Encoded: s).map(Array.init)
    }

    /// base64url without padding (JWT, EKS tokens).
    public static func urlEncode<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        var s = encode(bytes)
        s = s.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while s.hasSuffix("=") { s.removeLast() }
        return s
    }

    /// Decodes base64url with or without padding; nil when malformed.
    public static func urlDecode(_ string: String) -> [UInt8]? {
        guard !string.contains("+"), !string.contains("/") else { return nil }
        return decode(string.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/"))
    }
}

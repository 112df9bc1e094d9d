import Foundation
import GitHub
import Signing
import Testing

@Suite struct AppJWTTests {
    private func parts(_ jwt: String) throws -> (header: [String: Any], claims: [String: Any], input: String, signature: [UInt8]) {
        let pieces = jwt.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        try #require(pieces.count == 3)
        let header = try JSONSerialization.jsonObject(with: Data(try #require(Base64.urlDecode(pieces[0])))) as? [String: Any]
        let claims = try JSONSerialization.jsonObject(with: Data(try #require(Base64.urlDecode(pieces[1])))) as? [String: Any]
        return (try #require(header), try #require(claims), pieces[0] + "." + pieces[1], try #require(Base64.urlDecode(pieces[2])))
    }

    @Test func claimsFollowGitHubRules() async throws {
        let pair = try await TestKeys.shared.get()
        let signer = AppJWTSigner(issuer: "Iv23liABCDEF", signer: try RSASigner(pem: pair.privatePEM))
        let now = Date(timeIntervalSince1970: 1_700_000_000.7)
        let jwt = try signer.token(now: now)
        let (header, claims, _, signature) = try parts(jwt.value)
        #expect(header["alg"] as? String == "RS256")
        #expect(header["typ"] as? String == "JWT")
        #expect(claims["iss"] as? String == "Iv23liABCDEF")
        #expect(claims["iat"] as? Int == 1_700_000_000 - 60)
        #expect(claims["exp"] as? Int == 1_700_000_000 + 540)
        #expect(Set(claims.keys) == ["iat", "exp", "iss"])
        #expect(signature.count == 256)
        #expect(jwt.expiresAt == Date(timeIntervalSince1970: 1_700_000_540))
        #expect(!jwt.description.contains(jwt.value.prefix(20)))
    }

    @Test func lifetimeIsCappedAtTenMinutes() async throws {
        let pair = try await TestKeys.shared.get()
        let signer = AppJWTSigner(issuer: "1", signer: try RSASigner(pem: pair.privatePEM), lifetime: 3600)
        let (_, claims, _, _) = try parts(try signer.token(now: Date(timeIntervalSince1970: 1000)).value)
        #expect(claims["exp"] as? Int == 1600)
    }

    /// The signature checks out with an independent RS256 implementation and the public key.
    @Test func signatureVerifiesWithOpenSSL() async throws {
        let pair = try await TestKeys.shared.get()
        let signer = AppJWTSigner(issuer: "4242", signer: try RSASigner(pem: pair.privatePEM))
        let jwt = try signer.token(now: Date())
        let (_, _, input, signature) = try parts(jwt.value)
        let dir = URL(fileURLWithPath: pair.directory)
        let inputURL = dir.appendingPathComponent("jwt-input-\(UUID().uuidString)")
        let sigURL = dir.appendingPathComponent("jwt-sig-\(UUID().uuidString)")
        defer {
            try? FileManager.default.removeItem(at: inputURL)
            try? FileManager.default.removeItem(at: sigURL)
        }
        try Data(input.utf8).write(to: inputURL)
        try Data(signature).write(to: sigURL)
        let good = try await Shell.run("openssl", ["dgst", "-sha256", "-verify", pair.publicPath, "-signature", sigURL.path, inputURL.path])
        #expect(good.status == 0, "openssl: \(good.output)")
        // Tampering with the claims must break verification.
        try Data((input + "x").utf8).write(to: inputURL)
        let bad = try await Shell.run("openssl", ["dgst", "-sha256", "-verify", pair.publicPath, "-signature", sigURL.path, inputURL.path])
        #expect(bad.status != 0)
    }
}

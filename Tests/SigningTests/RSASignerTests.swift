import Foundation
import Signing
import Testing

/// RS256 signatures checked by an independent implementation: the `openssl` command-line tool.
@Suite struct RSASignerTests {
    @Test(arguments: [KeyFormat.pkcs1, .pkcs8])
    func signatureVerifiesWithOpenSSLCLI(format: KeyFormat) async throws {
        let dir = try TempDir()
        let key = try await dir.makeKey(format: format)
        let pem = try String(contentsOf: key.privateURL, encoding: .utf8)
        #expect(pem.contains(format == .pkcs1 ? "BEGIN RSA PRIVATE KEY" : "BEGIN PRIVATE KEY"))
        let signer = try RSASigner(pem: pem)
        #expect(signer.bits == 2048)

        let message = Array("header.payload – with non-ASCII ✓".utf8)
        let signature = try signer.sign(message)
        #expect(signature.count == 256)
        let messageURL = dir.url("message"), signatureURL = dir.url("signature")
        try Data(message).write(to: messageURL)
        try Data(signature).write(to: signatureURL)
        let ok = try await Shell.run("openssl", ["dgst", "-sha256", "-verify", key.publicURL.path,
                                                  "-signature", signatureURL.path, messageURL.path])
        #expect(ok.status == 0, "openssl rejected the signature: \(ok.output)")

        // A different message must not verify with the same signature.
        try Data(message + [0x21]).write(to: messageURL)
        let bad = try await Shell.run("openssl", ["dgst", "-sha256", "-verify", key.publicURL.path,
                                                   "-signature", signatureURL.path, messageURL.path])
        #expect(bad.status != 0)
    }

    /// PKCS#1 v1.5 signatures are deterministic: same key and message, same bytes.
    @Test func signingIsDeterministic() async throws {
        let dir = try TempDir()
        let key = try await dir.makeKey(format: .pkcs8)
        let signer = try RSASigner(pem: String(contentsOf: key.privateURL, encoding: .utf8))
        #expect(try signer.sign(Array("abc".utf8)) == signer.sign(Array("abc".utf8)))
        #expect(try signer.sign(Array("abc".utf8)) != signer.sign(Array("abd".utf8)))
    }

    @Test func rejectsGarbageWithoutEchoingIt() {
        let secretish = "-----BEGIN RSA PRIVATE KEY-----\nTOPSECRETNOTBASE64\n-----END RSA PRIVATE KEY-----\n"
        #expect {
            _ = try RSASigner(pem: secretish)
        } throws: { error in
            guard let error = error as? RSASignerError else { return false }
            return error.code == .invalidPEM && !error.description.contains("TOPSECRET")
        }
        #expect(throws: RSASignerError.self) { _ = try RSASigner(pem: "") }
    }

    @Test func rejectsNonRSAKey() async throws {
        let dir = try TempDir()
        let url = dir.url("ec.pem")
        let gen = try await Shell.run("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", url.path])
        try #require(gen.status == 0)
        #expect {
            _ = try RSASigner(pem: String(contentsOf: url, encoding: .utf8))
        } throws: { ($0 as? RSASignerError)?.code == .notRSA }
    }

    @Test func rejectsShortRSAKey() async throws {
        let dir = try TempDir()
        let url = dir.url("short.pem")
        let gen = try await Shell.run("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", url.path])
        try #require(gen.status == 0)
        #expect {
            _ = try RSASigner(pem: String(contentsOf: url, encoding: .utf8))
        } throws: { ($0 as? RSASignerError)?.code == .keyTooSmall }
    }

    @Test func rejectsEncryptedKeyWithoutPrompting() async throws {
        let dir = try TempDir()
        let url = dir.url("enc.pem")
        let gen = try await Shell.run("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                                                  "-aes-128-cbc", "-pass", "pass:hunter2", "-out", url.path])
        try #require(gen.status == 0)
        #expect {
            _ = try RSASigner(pem: String(contentsOf: url, encoding: .utf8))
        } throws: { ($0 as? RSASignerError)?.code == .invalidPEM }
    }
}

enum KeyFormat: Sendable, CustomStringConvertible {
    case pkcs1, pkcs8
    var description: String { self == .pkcs1 ? "PKCS#1" : "PKCS#8" }
}

/// A temporary directory removed when the value goes away.
final class TempDir {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("runway-signing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    func url(_ name: String) -> URL { root.appendingPathComponent(name) }

    /// Generates a 2048-bit RSA key pair with the openssl CLI.
    func makeKey(format: KeyFormat) async throws -> (privateURL: URL, publicURL: URL) {
        let priv = url("key-\(format == .pkcs1 ? "1" : "8").pem"), pub = url("pub.pem")
        var args = ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", priv.path]
        if format == .pkcs1 { args = ["genrsa", "-traditional", "-out", priv.path, "2048"] }
        let gen = try await Shell.run("openssl", args)
        try #require(gen.status == 0, "openssl genpkey failed: \(gen.output)")
        let out = try await Shell.run("openssl", ["pkey", "-in", priv.path, "-pubout", "-out", pub.path])
        try #require(out.status == 0, "openssl pkey failed: \(out.output)")
        return (priv, pub)
    }
}

/// Runs a command found on PATH without blocking a cooperative thread.
enum Shell {
    static func run(_ command: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [command] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        return (status, String(decoding: data, as: UTF8.self))
    }
}

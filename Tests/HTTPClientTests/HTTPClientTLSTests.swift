import Foundation
import HTTPClient
import Testing

/// A throwaway CA and a server certificate for 127.0.0.1 it signed, plus an unrelated CA, made
/// with the openssl CLI in a temporary directory.
struct TestPKI: Sendable {
    var directory: URL
    var caPEM: [UInt8]
    var otherCAPEM: [UInt8]
    var serverCert: String
    var serverKey: String

    static let shared = Task { try await TestPKI.make() }

    static func make() async throws -> TestPKI {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("runway-pki-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try await runCommand(["openssl", "req", "-x509"] + ec + [
            "-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=Runway Test CA",
        ], in: directory)
        try await runCommand(["openssl", "req", "-x509"] + ec + [
            "-keyout", "other.key", "-out", "other.pem", "-days", "1", "-subj", "/CN=Other Test CA",
        ], in: directory)
        try await runCommand(["openssl", "req"] + ec + [
            "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1",
        ], in: directory)
        let extensions = """
            subjectAltName=IP:127.0.0.1,DNS:localhost
            basicConstraints=CA:FALSE
            keyUsage=digitalSignature
            extendedKeyUsage=serverAuth
            """
        try extensions.write(to: directory.appendingPathComponent("server.ext"), atomically: true, encoding: .utf8)
        try await runCommand([
            "openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "server.pem", "-days", "1", "-extfile", "server.ext",
        ], in: directory)
        return TestPKI(
            directory: directory,
            caPEM: Array(try Data(contentsOf: directory.appendingPathComponent("ca.pem"))),
            otherCAPEM: Array(try Data(contentsOf: directory.appendingPathComponent("other.pem"))),
            serverCert: directory.appendingPathComponent("server.pem").path,
            serverKey: directory.appendingPathComponent("server.key").path)
    }
}

/// HTTPS against a stand-in whose certificate only the throwaway CA vouches for (as with an EKS
/// cluster CA): `caBundlePEM` given in memory must be trusted, nothing else.
@Suite struct HTTPClientTLSTests {
    static let server = Task {
        let pki = try await TestPKI.shared.value
        let server = try await StandInServer.start(cert: pki.serverCert, key: pki.serverKey)
        // The server loaded its key before printing its port; the CAs are kept in memory.
        try? FileManager.default.removeItem(at: pki.directory)
        return server
    }

    let client = HTTPClient()

    @Test func inMemoryCABundleIsTrusted() async throws {
        let pki = try await TestPKI.shared.value
        let server = try await Self.server.value
        let response = try await client.execute(ClientRequest(url: server.url("/multi", tls: true), caBundlePEM: pki.caPEM))
        #expect(response.status == 200)
        #expect(response.headers.values(for: "X-Multi") == ["a", "b"])
        let again = try await client.execute(ClientRequest(url: server.url("/bytes?n=3", tls: true), caBundlePEM: pki.caPEM))
        #expect(again.text == "xxx")
    }

    @Test func systemStoreDoesNotTrustTheThrowawayCA() async throws {
        let server = try await Self.server.value
        await #expect {
            try await client.execute(ClientRequest(url: server.url("/echo", tls: true)))
        } throws: { ($0 as? HTTPClientError)?.code == .tls }
    }

    @Test func aDifferentCAIsRejected() async throws {
        let pki = try await TestPKI.shared.value
        let server = try await Self.server.value
        await #expect {
            try await client.execute(ClientRequest(url: server.url("/echo", tls: true), caBundlePEM: pki.otherCAPEM))
        } throws: { ($0 as? HTTPClientError)?.code == .tls }
    }

    @Test func aTrustedConnectionIsNotReusedForADifferentCA() async throws {
        let pki = try await TestPKI.shared.value
        let server = try await Self.server.value
        let trusted = try await client.execute(ClientRequest(url: server.url("/peer", tls: true), caBundlePEM: pki.caPEM))
        #expect(trusted.status == 200)
        await #expect {
            try await client.execute(ClientRequest(url: server.url("/peer", tls: true), caBundlePEM: pki.otherCAPEM))
        } throws: { ($0 as? HTTPClientError)?.code == .tls }
    }

    @Test func garbageCABundleFailsAsTLS() async throws {
        let server = try await Self.server.value
        await #expect {
            try await client.execute(ClientRequest(url: server.url("/echo", tls: true), caBundlePEM: Array("not a pem".utf8)))
        } throws: { ($0 as? HTTPClientError)?.code == .tls }
    }
}

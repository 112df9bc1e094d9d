import Foundation
import HTTP
import Testing

/// The curl command-line client (installed by scripts/install-deps.sh) as a real-world peer.
@Suite("HTTP server: curl as the client", .serialized)
struct CurlClientTests {
    struct Result: Sendable {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static func curl(_ arguments: [String], input: Data? = nil) async throws -> Result {
        try await offPool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            process.arguments = ["-sS", "--max-time", "10"] + arguments
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            let stdout = out.fileHandleForReading.readDataToEndOfFile()
            let stderr = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return Result(
                status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                stderr: String(decoding: stderr, as: UTF8.self))
        }
    }

    static func bodyFile(bytes: Int) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("runway-http-\(UUID().uuidString).txt")
        let line = "the quick brown fox jumps over the lazy dog 0123456789\n"
        let text = String(repeating: line, count: bytes / line.utf8.count + 1).prefix(bytes)
        try Data(text.utf8).write(to: url)
        return url
    }

    @Test func chunkedUploadWithExpectContinue() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/curl"), "curl is installed by scripts/install-deps.sh")
        let file = try Self.bodyFile(bytes: 200_000)
        defer { try? FileManager.default.removeItem(at: file) }
        try await withServer { port, _ in
            let result = try await Self.curl([
                "-v", "-H", "Transfer-Encoding: chunked", "-H", "Expect: 100-continue",
                "--data-binary", "@\(file.path)", "http://127.0.0.1:\(port)/echo",
            ])
            #expect(result.status == 0)
            #expect(result.stdout == (try String(contentsOf: file, encoding: .utf8)))
            #expect(result.stderr.contains("HTTP/1.1 100 Continue"))
            #expect(result.stderr.contains("HTTP/1.1 200 OK"))
        }
    }

    @Test func curlReusesTheKeptAliveConnection() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/curl"), "curl is installed by scripts/install-deps.sh")
        try await withServer { port, _ in
            let result = try await Self.curl(["-v", "http://127.0.0.1:\(port)/jobs/1", "http://127.0.0.1:\(port)/jobs/2"])
            #expect(result.status == 0)
            #expect(result.stdout == "job 1job 2")
            #expect(result.stderr.lowercased().contains("re-using existing connection") || result.stderr.contains("Reusing existing"))
        }
    }

    @Test func oversizedUploadIsRefusedBeforeTheBody() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/curl"), "curl is installed by scripts/install-deps.sh")
        let file = try Self.bodyFile(bytes: 2_000_000)
        defer { try? FileManager.default.removeItem(at: file) }
        try await withServer { port, _ in
            let result = try await Self.curl(["-w", "\\n%{http_code}", "--data-binary", "@\(file.path)", "http://127.0.0.1:\(port)/echo"])
            #expect(result.stdout.hasSuffix("\n413"))
            #expect(result.stdout.contains(#""code":"body_too_large""#))
        }
    }
}

import Foundation
import RunwayKit
import Testing

@Suite struct ConfigReaderTests {
    @Test func readsTypedValuesAndCollectsEveryProblem() {
        var r = ConfigReader(["HTTP_PORT": "99999", "LOG_FORMAT": "xml", "A_RATE": "fast", "T": "250ms", "B": "yes"])
        let common = CommonConfig.read(&r)
        #expect(common.httpPort == 8080)
        let t = r.duration("T")
        let b = r.bool("B", default: false)
        #expect(t == .milliseconds(250))
        #expect(b)
        _ = r.double("A_RATE")
        #expect(throws: ConfigError.self) { try r.finish() }
        let text = r.problems.joined(separator: "\n")
        #expect(text.contains("HTTP_PORT must be between 0 and 65535"))
        #expect(text.contains("LOG_FORMAT must be one of json, text"))
        #expect(text.contains("RUNWAY_INTERNAL_TOKEN (or RUNWAY_INTERNAL_TOKEN_FILE) is required"))
        #expect(text.contains("RUNWAY_POOLS is required"))
        #expect(text.contains("A_RATE must be a number"))
    }

    @Test func secretsComeFromFilesAndAreRedacted() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("runway-secret-\(UUID().uuidString)").path
        try "s3cret-token-value-123\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var r = ConfigReader(["RUNWAY_INTERNAL_TOKEN_FILE": path, "RUNWAY_POOLS": "/p"])
        let common = CommonConfig.read(&r)
        #expect(common.internalToken == "s3cret-token-value-123")
        #expect(r.effective["RUNWAY_INTERNAL_TOKEN"] == "<redacted>")
        #expect(!r.effective.values.contains { $0.contains("s3cret") })
        try r.finish()
    }

    @Test func bothSecretFormsIsAProblem() {
        var r = ConfigReader(["X": "a", "X_FILE": "/nope"])
        let x = r.secret("X")
        #expect(x == nil)
        #expect(r.problems == ["X and X_FILE are both set; set one"])
    }

    @Test func durations() {
        #expect(DurationParser.parse("2s") == .seconds(2))
        #expect(DurationParser.parse("5m") == .seconds(300))
        #expect(DurationParser.parse("1.5h") == .seconds(5400))
        #expect(DurationParser.parse("30") == .seconds(30))
        #expect(DurationParser.parse("-1s") == nil)
        #expect(DurationParser.parse("soon") == nil)
    }
}

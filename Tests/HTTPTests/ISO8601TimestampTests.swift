import Foundation
import HTTP
import Testing

@Suite struct ISO8601TimestampTests {
    static func reference(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }

    @Test(arguments: [
        "2021-09-13T02:21:13Z", "2026-11-29T10:00:00Z", "2000-02-29T23:59:59Z", "1970-01-01T00:00:00Z", "1969-07-20T20:17:40Z",
        "2100-12-31T12:34:56Z", "2021-09-13T04:21:13+02:00", "2021-09-12T19:21:13-07:00", "2026-11-29T10:00:00-05:30",
        "2021-09-13T02:21:13.250Z", "2021-09-13T02:21:13.5+01:00", "2026-11-29T10:00:00.125+01:00",
    ])
    func matchesFoundationsParser(_ text: String) throws {
        let ours = try #require(ISO8601Timestamp.parse(text))
        let theirs = try #require(Self.reference(text))
        #expect(abs(ours.timeIntervalSince(theirs)) < 0.001)
    }

    @Test func acceptsTheRFC3339Variants() {
        let expected = Self.reference("2026-11-29T10:00:00+02:00")
        #expect(ISO8601Timestamp.parse("2026-11-29T10:00:00+0200") == expected)
        #expect(ISO8601Timestamp.parse("2026-11-29t10:00:00+02:00") == expected)
        #expect(ISO8601Timestamp.parse("2026-11-29 10:00:00+02:00") == expected)
        #expect(ISO8601Timestamp.parse("2026-11-29T08:00:00z") == expected)
    }

    @Test(arguments: [
        "", "2021-09-13", "2021-09-13T02:21:13", "2021-13-13T02:21:13Z", "2026-02-30T00:00:00Z", "2100-02-29T00:00:00Z",
        "2021-09-13T25:00:00Z", "2026-11-29T24:00:00Z", "2021-09-13T02:21:13.Z", "2021-09-13T02:21:13Zjunk",
        "20x1-09-13T02:21:13Z", "2021-09-13T02:21:13+2", "yesterday at noon!",
    ])
    func rejectsMalformed(_ text: String) {
        #expect(ISO8601Timestamp.parse(text) == nil)
    }
}

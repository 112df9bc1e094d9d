import Foundation
import Testing
@testable import Postgres

@Suite("Postgres text formats")
struct TextFormatTests {
    @Test("timestamps round-trip with microseconds, before and after 1970")
    func timestampRoundTrip() throws {
        for seconds in [0.0, 1_764_406_232.123456, -86_400.5, 253_402_300_799.5, 1_000_000_000.000001] {
            let date = Date(timeIntervalSince1970: seconds)
            let text = PostgresTimestamp.format(date)
            let parsed = try #require(PostgresTimestamp.parse(text), "\(text)")
            #expect(abs(parsed.timeIntervalSince1970 - seconds) < 0.000_002, "\(text)")
        }
        #expect(PostgresTimestamp.format(Date(timeIntervalSince1970: 1_764_406_232.5)) == "2025-11-29 08:50:32.500000+00")
    }

    @Test("timestamps with offsets and without fractions parse; garbage does not")
    func timestampParse() {
        #expect(PostgresTimestamp.parse("2026-11-29 08:50:32+00")?.timeIntervalSince1970 == 1_795_942_232)
        #expect(PostgresTimestamp.parse("2026-11-29 10:50:32+02")?.timeIntervalSince1970 == 1_795_942_232)
        #expect(PostgresTimestamp.parse("2026-11-29 03:20:32-05:30")?.timeIntervalSince1970 == 1_795_942_232)
        #expect(PostgresTimestamp.parse("2026-11-29 08:50:32.25+00")?.timeIntervalSince1970 == 1_795_942_232.25)
        for bad in ["", "infinity", "2026-11-29", "2026-11-29 08:50:32", "2026-11-29T08:50:32Z", "2026-11-29 08:50:32+00x"] {
            #expect(PostgresTimestamp.parse(bad) == nil, "\(bad)")
        }
    }

    @Test("text arrays round-trip through quoting", arguments: [
        [], [""], ["self-hosted", "linux", "x64"], ["a,b", "{c}", "d\"e", "f\\g", "NULL", " space ", "ünïcode"],
    ])
    func arrayRoundTrip(values: [String]) throws {
        #expect(PostgresTextArray.parse(PostgresTextArray.format(values)) == values)
    }

    @Test("server-style arrays parse; malformed, nested and NULL-holding ones do not")
    func arrayParse() {
        #expect(PostgresTextArray.parse("{a,b,\"c d\"}") == ["a", "b", "c d"])
        #expect(PostgresTextArray.parse("{}") == [])
        for bad in ["", "{", "a,b", "{a,NULL}", "{{a},{b}}", "{\"a}", "{a,}"] {
            #expect(PostgresTextArray.parse(bad) == nil, "\(bad)")
        }
    }

    @Test("error descriptions drop data-echoing server messages")
    func safeMessages() {
        #expect(PostgresError.safeServerMessage(sqlState: "22P02", primary: "invalid input syntax for type bigint: \"secret\"") == "data exception")
        #expect(PostgresError.safeServerMessage(sqlState: "23505", primary: "duplicate key value") == "integrity constraint violation")
        #expect(PostgresError.safeServerMessage(sqlState: "42601", primary: "syntax error at or near \"FRM\"") == "syntax error at or near \"FRM\"")
    }

    @Test("configuration passes session settings and escapes the search path")
    func connectParameters() {
        let configuration = PostgresConfiguration(connectionString: "postgresql://u@h/db", statementTimeout: .milliseconds(1500), searchPath: "a b")
        let params = Dictionary(uniqueKeysWithValues: configuration.connectParameters)
        #expect(params["dbname"] == "postgresql://u@h/db")
        #expect(params["options"]?.contains("-c statement_timeout=1500") == true)
        #expect(params["options"]?.contains("-c search_path=a\\ b") == true)
        #expect(params["options"]?.contains("-c TimeZone=UTC") == true)
    }
}

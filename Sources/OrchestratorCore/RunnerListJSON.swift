import Foundation

/// The `GET /v1/runners` body written straight into bytes: the same JSON the shared
/// `JSONEncoder` produces (sorted keys, unescaped `/`, ISO-8601 dates in whole seconds, an absent
/// `launched_at` left out) without its intermediate value tree, which held several times the body
/// for a large pool (docs/benchmarks.md, "Where the listing's peak RSS comes from").
enum RunnerListJSON {
    /// `{"runners":[{...},...]}`.
    static func encode(_ runners: [RunnerInfo]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(32 + runners.count * 170)
        out.append(contentsOf: Array(#"{"runners":["#.utf8))
        let dates = ISO8601DateFormatter()
        dates.formatOptions = [.withInternetDateTime]
        for (index, runner) in runners.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "{"))
            if let launchedAt = runner.launchedAt {
                out.append(contentsOf: #""launched_at":"#.utf8)
                string(dates.string(from: launchedAt), into: &out)
                out.append(UInt8(ascii: ","))
            }
            out.append(contentsOf: #""pool":"#.utf8)
            string(runner.pool, into: &out)
            out.append(contentsOf: #","provider_id":"#.utf8)
            string(runner.providerID, into: &out)
            out.append(contentsOf: #","runner_name":"#.utf8)
            string(runner.runnerName, into: &out)
            out.append(contentsOf: #","state":"#.utf8)
            string(runner.state, into: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }

    /// A JSON string literal with the escapes `JSONEncoder` uses (`/` left as is).
    static func string(_ value: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                        hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

}

import Foundation
import HTTP

/// Reads `GET /v1/runners` answers (`{"runners": [...]}` or a bare array) straight from the
/// response bytes into `ProviderRunner`s, without JSONDecoder's token map and `Data` copy, which
/// were most of a reconcile pass's peak memory for a large pool (docs/benchmarks.md). Returns nil
/// for anything it does not fully understand; the caller then falls back to JSONDecoder.
struct RunnerListDecoding {
    private let b: [UInt8]
    private var i = 0

    /// The runners, or nil when `body` is not a runner list this reader handles.
    static func decode(_ body: [UInt8]) -> [ProviderRunner]? {
        var reader = RunnerListDecoding(b: body)
        return reader.document()
    }

    private init(b: [UInt8]) { self.b = b }

    private mutating func document() -> [ProviderRunner]? {
        skipSpace()
        var runners: [ProviderRunner]?
        if peek == UInt8(ascii: "[") {
            runners = list()
        } else if consume(UInt8(ascii: "{")) {
            var first = true
            while true {
                skipSpace()
                if consume(UInt8(ascii: "}")) { break }
                if !first { guard consume(UInt8(ascii: ",")) else { return nil } }
                first = false
                guard let key = key() else { return nil }
                if key == "runners" {
                    guard runners == nil, let parsed = list() else { return nil }
                    runners = parsed
                } else {
                    guard skipValue() else { return nil }
                }
            }
        }
        skipSpace()
        return i == b.count ? runners : nil
    }

    private mutating func list() -> [ProviderRunner]? {
        skipSpace()
        guard consume(UInt8(ascii: "[")) else { return nil }
        var runners: [ProviderRunner] = []
        while true {
            skipSpace()
            if consume(UInt8(ascii: "]")) { return runners }
            if !runners.isEmpty { guard consume(UInt8(ascii: ",")) else { return nil } }
            guard let runner = runner() else { return nil }
            runners.append(runner)
        }
    }

    /// One object; the same defaults as `ProviderRunner.init(from:)`.
    private mutating func runner() -> ProviderRunner? {
        skipSpace()
        guard consume(UInt8(ascii: "{")) else { return nil }
        var name: String?
        var providerID = ""
        var state = "unknown"
        var launchedAt: Date?
        var first = true
        while true {
            skipSpace()
            if consume(UInt8(ascii: "}")) { break }
            if !first { guard consume(UInt8(ascii: ",")) else { return nil } }
            first = false
            guard let key = key() else { return nil }
            skipSpace()
            switch key {
            case "runner_name":
                guard let value = string() else { return nil }
                name = value
            case "provider_id", "state":
                if consumeNull() { continue }
                guard let value = string() else { return nil }
                if key == "state" { state = value } else { providerID = value }
            case "launched_at":
                // As before: a launch time that is not an ISO-8601 string is treated as absent.
                if peek == UInt8(ascii: "\"") {
                    guard let value = string() else { return nil }
                    launchedAt = ISO8601Timestamp.parse(value)
                } else {
                    guard skipValue() else { return nil }
                }
            default:
                guard skipValue() else { return nil }
            }
        }
        guard let name else { return nil }
        return ProviderRunner(runnerName: name, providerID: providerID, state: state, launchedAt: launchedAt)
    }

    private mutating func key() -> String? {
        skipSpace()
        guard let key = string() else { return nil }
        skipSpace()
        return consume(UInt8(ascii: ":")) ? key : nil
    }

    /// A string literal. Escapes are left to Foundation (rare: runner names are ASCII words).
    private mutating func string() -> String? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        let start = i
        var escaped = false
        while i < b.count, b[i] != UInt8(ascii: "\"") {
            if b[i] == UInt8(ascii: "\\") { escaped = true; i += 1 } else if b[i] < 0x20 { return nil }
            i += 1
        }
        guard i < b.count else { return nil }
        i += 1
        if !escaped { return String(validating: b[start..<(i - 1)], as: UTF8.self) }
        let literal = Data(b[(start - 1)..<i])
        return try? JSONDecoder().decode(String.self, from: literal)
    }

    /// Skips any JSON value (objects and arrays nested up to 64 deep).
    private mutating func skipValue(depth: Int = 0) -> Bool {
        skipSpace()
        guard i < b.count, depth < 64 else { return false }
        switch b[i] {
        case UInt8(ascii: "\""): return string() != nil
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close = b[i] == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            i += 1
            var first = true
            while true {
                skipSpace()
                if consume(close) { return true }
                if !first { guard consume(UInt8(ascii: ",")) else { return false } }
                first = false
                if close == UInt8(ascii: "}") { guard key() != nil else { return false } }
                guard skipValue(depth: depth + 1) else { return false }
            }
        default:
            let start = i
            while i < b.count, Self.scalarBytes.contains(b[i]) { i += 1 }
            guard i > start else { return false }
            let word = b[start..<i]
            if word.elementsEqual("true".utf8) || word.elementsEqual("false".utf8) || word.elementsEqual("null".utf8) { return true }
            let leading = word[start]
            guard leading == UInt8(ascii: "-") || (leading >= 0x30 && leading <= 0x39) else { return false }
            return Double(String(decoding: word, as: UTF8.self)) != nil
        }
    }

    private static let scalarBytes = Set("0123456789+-.eEtrufalsn".utf8)

    private var peek: UInt8? { i < b.count ? b[i] : nil }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard i < b.count, b[i] == byte else { return false }
        i += 1
        return true
    }

    private mutating func consumeNull() -> Bool {
        guard i + 4 <= b.count, b[i..<(i + 4)].elementsEqual("null".utf8) else { return false }
        i += 4
        return true
    }

    private mutating func skipSpace() {
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
    }
}

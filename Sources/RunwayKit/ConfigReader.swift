import Foundation

/// Every problem found in a configuration, reported together so an operator fixes them in one go.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    /// One line per problem; never contains a secret's value.
    public var problems: [String]

    public init(problems: [String]) {
        self.problems = problems
    }

    public var description: String {
        "invalid configuration:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}

/// Reads typed settings from a `[String: String]` environment, collecting problems instead of
/// stopping at the first one. Secrets may be given as `NAME` or as `NAME_FILE` (a path).
///
/// Tests build one from a literal dictionary; `main` passes `ProcessInfo.processInfo.environment`.
public struct ConfigReader {
    public let environment: [String: String]
    /// Problems recorded so far.
    public private(set) var problems: [String] = []
    /// Names of settings that hold secrets (redacted when the effective config is logged).
    public private(set) var secretNames: Set<String> = []
    /// The effective settings read so far, secrets redacted, for one start-up log line.
    public private(set) var effective: [String: String] = [:]

    public init(_ environment: [String: String]) {
        self.environment = environment
    }

    /// Records a problem.
    public mutating func problem(_ message: String) {
        problems.append(message)
    }

    /// A plain string setting; empty values count as unset.
    public mutating func string(_ name: String, default defaultValue: String? = nil) -> String? {
        let value = environment[name].flatMap { $0.isEmpty ? nil : $0 } ?? defaultValue
        if let value { effective[name] = value }
        return value
    }

    /// A required string; records a problem when missing.
    public mutating func require(_ name: String) -> String? {
        guard let value = string(name) else {
            problem("\(name) is required")
            return nil
        }
        return value
    }

    /// A secret from `NAME` or from the file named by `NAME_FILE` (trailing newline trimmed).
    /// Setting both is a problem (which one wins would be a guess).
    public mutating func secret(_ name: String, required: Bool = false) -> String? {
        secretNames.insert(name)
        let direct = environment[name].flatMap { $0.isEmpty ? nil : $0 }
        let path = environment[name + "_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        if direct != nil && path != nil {
            problem("\(name) and \(name)_FILE are both set; set one")
            return nil
        }
        var value = direct
        if let path {
            do {
                var text = try String(contentsOfFile: path, encoding: .utf8)
                while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
                value = text.isEmpty ? nil : text
                if value == nil { problem("\(name)_FILE (\(path)) is empty") }
            } catch {
                problem("\(name)_FILE: cannot read \(path)")
                return nil
            }
        }
        if value == nil && required { problem("\(name) (or \(name)_FILE) is required") }
        if value != nil { effective[name] = "<redacted>" }
        return value
    }

    /// An integer within `range`.
    public mutating func int(_ name: String, default defaultValue: Int? = nil, range: ClosedRange<Int>? = nil) -> Int? {
        guard let raw = string(name) else { return defaultValue }
        guard let value = Int(raw.trimmingCharacters(in: .whitespaces)) else {
            problem("\(name) must be an integer, got '\(raw)'")
            return defaultValue
        }
        if let range, !range.contains(value) {
            problem("\(name) must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
            return defaultValue
        }
        return value
    }

    /// A number (e.g. a rate per second) within `range`.
    public mutating func double(_ name: String, default defaultValue: Double? = nil, range: ClosedRange<Double>? = nil) -> Double? {
        guard let raw = string(name) else { return defaultValue }
        guard let value = Double(raw.trimmingCharacters(in: .whitespaces)), value.isFinite else {
            problem("\(name) must be a number, got '\(raw)'")
            return defaultValue
        }
        if let range, !range.contains(value) {
            problem("\(name) must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
            return defaultValue
        }
        return value
    }

    /// A boolean: 1/0, true/false, yes/no, on/off.
    public mutating func bool(_ name: String, default defaultValue: Bool) -> Bool {
        guard let raw = string(name) else { return defaultValue }
        switch raw.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default:
            problem("\(name) must be true or false, got '\(raw)'")
            return defaultValue
        }
    }

    /// A duration such as `500ms`, `2s`, `5m`, `1h` or a plain number of seconds.
    public mutating func duration(_ name: String, default defaultValue: Duration? = nil) -> Duration? {
        guard let raw = string(name) else { return defaultValue }
        guard let value = DurationParser.parse(raw) else {
            problem("\(name) must be a duration like 500ms, 30s, 5m or 1h, got '\(raw)'")
            return defaultValue
        }
        return value
    }

    /// An absolute http(s) URL (trailing slash removed).
    public mutating func url(_ name: String, default defaultValue: String? = nil, required: Bool = false) -> String? {
        guard var raw = string(name, default: defaultValue) else {
            if required { problem("\(name) is required") }
            return nil
        }
        guard let parsed = URL(string: raw), let scheme = parsed.scheme?.lowercased(),
            scheme == "http" || scheme == "https", parsed.host != nil
        else {
            problem("\(name) must be an http:// or https:// URL")
            return nil
        }
        while raw.hasSuffix("/") { raw.removeLast() }
        return raw
    }

    /// One of the given values.
    public mutating func choice(_ name: String, _ allowed: [String], default defaultValue: String) -> String {
        guard let raw = string(name) else { return defaultValue }
        guard allowed.contains(raw.lowercased()) else {
            problem("\(name) must be one of \(allowed.joined(separator: ", ")), got '\(raw)'")
            return defaultValue
        }
        return raw.lowercased()
    }

    /// Throws a `ConfigError` listing every problem, if any.
    public func finish() throws(ConfigError) {
        if !problems.isEmpty { throw ConfigError(problems: problems) }
    }
}

/// Parses human durations: `250ms`, `30s`, `5m`, `2h`, `1d`, or seconds as a plain number.
public enum DurationParser {
    public static func parse(_ text: String) -> Duration? {
        let s = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        for (suffix, scale) in units where s.hasSuffix(suffix) {
            let number = s.dropLast(suffix.count)
            // "ms" must not be read as minutes of "…m" followed by "s".
            if suffix == "s" && number.hasSuffix("m") { continue }
            guard let v = Double(number), v >= 0, v.isFinite else { return nil }
            return .milliseconds(Int64((v * scale * 1000).rounded()))
        }
        guard let v = Double(s), v >= 0, v.isFinite else { return nil }
        return .milliseconds(Int64((v * 1000).rounded()))
    }
}

extension Duration {
    /// The duration in seconds as a `Double`.
    public var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}

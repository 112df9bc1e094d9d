import Foundation
import Yams

/// The pools file (`RUNWAY_POOLS`, YAML or JSON): every pool, the labels of GitHub-hosted jobs to
/// ignore, and the global runner cap. Read by all three services.
public struct PoolsConfig: Sendable, Equatable {
    public var pools: [Pool]
    /// Glob patterns (`*` wildcard, case-insensitive) of GitHub-hosted labels: a job no pool serves,
    /// without `self-hosted`, with a label matching one of these is acknowledged and not stored.
    public var ignoreLabels: [String]
    /// Cap on runners across all pools (nil: only per-pool caps).
    public var globalMaxRunners: Int?

    /// The default `ignore_labels`: GitHub-hosted runner images.
    public static let defaultIgnoreLabels = ["ubuntu-*", "windows-*", "macos-*"]

    public init(pools: [Pool], ignoreLabels: [String] = PoolsConfig.defaultIgnoreLabels, globalMaxRunners: Int? = nil) {
        self.pools = pools
        self.ignoreLabels = ignoreLabels
        self.globalMaxRunners = globalMaxRunners
    }

    /// Reads and validates the file at `path`; every problem is listed in the error.
    public static func load(path: String) throws(ConfigError) -> PoolsConfig {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(problems: ["RUNWAY_POOLS: cannot read \(path)"])
        }
        return try parse(text, source: path)
    }

    /// Parses and validates pools text (YAML, of which JSON is a subset).
    public static func parse(_ text: String, source: String = "pools file") throws(ConfigError) -> PoolsConfig {
        let root: Any?
        do {
            root = try Yams.load(yaml: text)
        } catch {
            throw ConfigError(problems: ["\(source): not valid YAML or JSON (\(Self.yamlErrorSummary(error)))"])
        }
        var v = PoolsValidator(source: source)
        let config = v.config(root)
        if !v.problems.isEmpty { throw ConfigError(problems: v.problems) }
        return config
    }

    /// The pool named `name`.
    public func pool(named name: String) -> Pool? {
        pools.first { $0.name == name }
    }

    private static func yamlErrorSummary(_ error: any Error) -> String {
        let text = String(describing: error)
        return String(text.prefix(200)).replacingOccurrences(of: "\n", with: " ")
    }
}

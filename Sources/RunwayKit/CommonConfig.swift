import Logging

/// Settings every Runway service reads.
public struct CommonConfig: Sendable {
    /// `HTTP_HOST`, default `0.0.0.0`.
    public var httpHost: String
    /// `HTTP_PORT`, default 8080 (0 picks a free port, printed at start).
    public var httpPort: Int
    /// `LOG_LEVEL` (trace…critical), default `info`.
    public var logLevel: Logger.Level
    /// `LOG_FORMAT` (`json`|`text`), default `json`.
    public var logFormat: LogFormat
    /// `RUNWAY_INTERNAL_TOKEN` (or `_FILE`): bearer token for internal endpoints.
    public var internalToken: String?
    /// `RUNWAY_POOLS`: path of the pools file.
    public var poolsPath: String?
    /// `RUNWAY_DRAIN_TIMEOUT`, default 10 s: how long in-flight requests may finish at shutdown.
    public var drainTimeout: Duration

    public init(
        httpHost: String = "0.0.0.0", httpPort: Int = 8080, logLevel: Logger.Level = .info,
        logFormat: LogFormat = .json, internalToken: String? = nil, poolsPath: String? = nil,
        drainTimeout: Duration = .seconds(10)
    ) {
        self.httpHost = httpHost
        self.httpPort = httpPort
        self.logLevel = logLevel
        self.logFormat = logFormat
        self.internalToken = internalToken
        self.poolsPath = poolsPath
        self.drainTimeout = drainTimeout
    }

    /// Reads the common settings, recording problems in `reader`.
    /// - Parameters:
    ///   - requireInternalToken: the Publisher and Orchestrator refuse to start without one.
    ///   - requirePools: whether `RUNWAY_POOLS` must be set.
    public static func read(
        _ reader: inout ConfigReader, defaultPort: Int = 8080, requireInternalToken: Bool = true, requirePools: Bool = true
    ) -> CommonConfig {
        var config = CommonConfig()
        config.httpHost = reader.string("HTTP_HOST", default: "0.0.0.0") ?? "0.0.0.0"
        config.httpPort = reader.int("HTTP_PORT", default: defaultPort, range: 0...65535) ?? defaultPort
        let level = reader.choice("LOG_LEVEL", Logger.Level.allCases.map(\.rawValue), default: "info")
        config.logLevel = Logger.Level(rawValue: level) ?? .info
        config.logFormat = LogFormat(rawValue: reader.choice("LOG_FORMAT", ["json", "text"], default: "json")) ?? .json
        config.internalToken = reader.secret("RUNWAY_INTERNAL_TOKEN", required: requireInternalToken)
        if let token = config.internalToken, token.utf8.count < 16 {
            reader.problem("RUNWAY_INTERNAL_TOKEN must be at least 16 characters")
        }
        config.poolsPath = requirePools ? reader.require("RUNWAY_POOLS") : reader.string("RUNWAY_POOLS")
        config.drainTimeout = reader.duration("RUNWAY_DRAIN_TIMEOUT", default: .seconds(10)) ?? .seconds(10)
        return config
    }
}

/// Log line format.
public enum LogFormat: String, Sendable {
    case json, text
}

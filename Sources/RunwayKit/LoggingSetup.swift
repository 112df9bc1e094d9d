import Foundation
import HTTP
import Logging

/// Bootstraps swift-log once per process.
public enum LoggingSetup {
    /// Installs the JSON or text handler on stderr at `level`. Call once, first thing in `main`.
    public static func bootstrap(format: LogFormat, level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            switch format {
            case .json:
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}

/// One JSON object per line on stderr: `ts`, `level`, `logger`, `msg` and the metadata keys
/// (`job.id`, `pool.name`, `trace.id`, …) as top-level fields. A line logged while a request or
/// a dispatch is served carries that work's `trace.id` and `span.id` (from `TraceContext.current`)
/// unless the logger set them itself.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String

    public init(label: String) {
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        FileHandle.standardError.write(Data(line(level: event.level, message: event.message.description, metadata: event.metadata).utf8))
    }

    /// The JSON line for one event, newline included.
    func line(level: Logger.Level, message: String, metadata extra: Logger.Metadata?) -> String {
        var fields: [(String, String)] = [
            ("ts", Self.timestamp()), ("level", level.rawValue), ("logger", label), ("msg", message),
        ]
        var merged = metadata
        if let extra { merged.merge(extra) { _, new in new } }
        if merged["trace.id"] == nil, let trace = TraceContext.current {
            merged["trace.id"] = "\(trace.traceID)"
            merged["span.id"] = "\(trace.spanID)"
        }
        for key in merged.keys.sorted() {
            if let value = merged[key] { fields.append((key, value.description)) }
        }
        var line = "{"
        for (i, (key, value)) in fields.enumerated() {
            if i > 0 { line += "," }
            line += JSONText.quote(key) + ":" + JSONText.quote(value)
        }
        line += "}\n"
        return line
    }

    private static func timestamp() -> String {
        var tv = timeval()
        gettimeofday(&tv, nil)
        var tm = tm()
        var seconds = tv.tv_sec
        gmtime_r(&seconds, &tm)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
            tm.tm_hour, tm.tm_min, tm.tm_sec, Int(tv.tv_usec / 1000))
    }
}

/// Minimal JSON string quoting for log lines.
enum JSONText {
    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

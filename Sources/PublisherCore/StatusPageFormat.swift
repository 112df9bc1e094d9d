import Foundation

/// Text helpers of the status page: HTML escaping and compact numbers, durations and UTC times.
enum StatusFormat {
    /// Escapes text for HTML element content and double- or single-quoted attribute values.
    /// Every string from a webhook, the database or configuration goes through here.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `text` cut to `limit` characters (with `…`), then escaped.
    static func escape(_ text: String, limit: Int) -> String {
        escape(text.count > limit ? String(text.prefix(limit)) + "…" : text)
    }

    /// A duration in seconds, short: `0.4 s`, `12 s`, `3 m 20 s`, `1 h 05 m`.
    static func duration(_ seconds: Double) -> String {
        let s = max(0, seconds)
        if s < 10 { return String(format: "%.1f s", s) }
        if s < 60 { return "\(Int(s.rounded())) s" }
        let whole = Int(s.rounded())
        if whole < 3600 { return whole % 60 == 0 ? "\(whole / 60) m" : "\(whole / 60) m \(whole % 60) s" }
        return String(format: "%d h %02d m", whole / 3600, whole % 3600 / 60)
    }

    /// A rate per second: `2/s`, `0.5/s`, `0.013/s` (trailing zeros dropped).
    static func rate(_ perSecond: Double) -> String {
        if perSecond == 0 { return "0/s" }
        if perSecond >= 10 || perSecond == perSecond.rounded() { return "\(Int(perSecond.rounded()))/s" }
        if perSecond >= 0.1 { return trimmed(String(format: "%.2f", perSecond)) + "/s" }
        return trimmed(String(format: "%.3f", perSecond)) + "/s"
    }

    private static func trimmed(_ number: String) -> String {
        var text = number
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// `HH:MM:SS` (UTC).
    static func time(_ date: Date) -> String {
        let c = UTCParts(date)
        return String(format: "%02d:%02d:%02d", c.hour, c.minute, c.second)
    }

    /// `HH:MM` (UTC).
    static func minute(_ date: Date) -> String {
        let c = UTCParts(date)
        return String(format: "%02d:%02d", c.hour, c.minute)
    }

    /// `YYYY-MM-DD HH:MM:SS UTC`.
    static func timestamp(_ date: Date) -> String {
        let c = UTCParts(date)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d UTC", c.year, c.month, c.day, c.hour, c.minute, c.second)
    }

    /// RFC 3339 for `<time datetime>`.
    static func rfc3339(_ date: Date) -> String {
        let c = UTCParts(date)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year, c.month, c.day, c.hour, c.minute, c.second)
    }
}

/// Calendar fields of a date in UTC, computed directly (civil-from-days, H. Hinnant), so
/// rendering needs no formatter, locale or time-zone database.
struct UTCParts {
    var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int

    init(_ date: Date) {
        let total = Int(date.timeIntervalSince1970.rounded(.down))
        let days = total >= 0 ? total / 86_400 : (total - 86_399) / 86_400
        let secs = total - days * 86_400
        hour = secs / 3600
        minute = secs % 3600 / 60
        second = secs % 60
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    }
}

import Foundation

/// RFC 3339 / ISO-8601 date-times as GitHub, AWS and Runway's own APIs write them: `Z` or a
/// `±HH:MM` (or `±HHMM`) offset, with or without fractional seconds, `T` (or `t`, or a space, as
/// RFC 3339 §5.6 allows) between date and time.
///
/// Parsed by hand: an `ISO8601DateFormatter` costs tens of microseconds to create, which made
/// date parsing the Producer's largest cost per webhook and a reconcile pass's largest cost per
/// runner (docs/benchmarks.md).
public enum ISO8601Timestamp {
    /// The instant `text` names, or nil when it is not a complete date-time with a zone.
    public static func parse(_ text: String) -> Date? {
        let utf8 = Array(text.utf8)
        // YYYY-MM-DDTHH:MM:SS, then optional .fraction, then Z or ±HH:MM (or ±HHMM).
        guard utf8.count >= 20, utf8[4] == 45, utf8[7] == 45, utf8[10] == 84 || utf8[10] == 116 || utf8[10] == 32,
            utf8[13] == 58, utf8[16] == 58,
            let year = number(utf8, 0, 4), let month = number(utf8, 5, 2), let day = number(utf8, 8, 2),
            let hour = number(utf8, 11, 2), let minute = number(utf8, 14, 2), let second = number(utf8, 17, 2),
            (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        var fraction = 0.0
        if i < utf8.count, utf8[i] == 46 {
            i += 1
            var scale = 0.1
            let start = i
            while i < utf8.count, utf8[i] >= 48, utf8[i] <= 57 {
                fraction += Double(utf8[i] - 48) * scale
                scale /= 10
                i += 1
            }
            if i == start { return nil }
        }
        guard i < utf8.count else { return nil }
        var offset = 0
        switch utf8[i] {
        case 90, 122:  // Z
            guard i + 1 == utf8.count else { return nil }
        case 43, 45:  // + or -
            let sign = utf8[i] == 43 ? 1 : -1
            let rest = Array(utf8[(i + 1)...]).filter { $0 != 58 }
            guard rest.count == 4, let oh = number(rest, 0, 2), let om = number(rest, 2, 2), oh < 24, om < 60 else { return nil }
            offset = sign * (oh * 3600 + om * 60)
        default:
            return nil
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    private static func number(_ bytes: [UInt8], _ start: Int, _ count: Int) -> Int? {
        guard start + count <= bytes.count else { return nil }
        var value = 0
        for b in bytes[start..<(start + count)] {
            guard b >= 48, b <= 57 else { return nil }
            value = value * 10 + Int(b - 48)
        }
        return value
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
}

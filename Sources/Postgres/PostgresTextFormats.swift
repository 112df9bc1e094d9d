import Foundation

/// `timestamptz` in Postgres' ISO text format (`2026-11-29 08:50:32.123456+00`).
enum PostgresTimestamp {
    /// Formats in UTC with microseconds (by hand: `String(format:)` is slow on Linux).
    static func format(_ date: Date) -> String {
        let total = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let seconds = total >= 0 ? total / 1_000_000 : (total - 999_999) / 1_000_000
        let micros = Int(total - seconds * 1_000_000)
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(29)
        func digits(_ value: Int, _ width: Int) {
            let start = bytes.count
            bytes.append(contentsOf: repeatElement(48, count: width))
            var rest = value
            for index in stride(from: start + width - 1, through: start, by: -1) {
                bytes[index] = UInt8(48 + rest % 10)
                rest /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4); bytes.append(45)
        digits(Int(parts.tm_mon) + 1, 2); bytes.append(45)
        digits(Int(parts.tm_mday), 2); bytes.append(32)
        digits(Int(parts.tm_hour), 2); bytes.append(58)
        digits(Int(parts.tm_min), 2); bytes.append(58)
        digits(Int(parts.tm_sec), 2); bytes.append(46)
        digits(micros, 6)
        bytes.append(contentsOf: [43, 48, 48])
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses `YYYY-MM-DD HH:MM:SS[.ffffff]±HH[:MM[:SS]]`; `nil` for anything else
    /// (including `infinity` and BC dates, which Runway never writes).
    static func parse(_ text: String) -> Date? {
        let b = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var value = 0
            for i in from..<(from + count) {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                value = value * 10 + Int(b[i] - 48)
            }
            return value
        }
        guard b.count >= 22, b[4] == 45, b[7] == 45, b[10] == 32, b[13] == 58, b[16] == 58,
              let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2)
        else { return nil }
        var i = 19
        var micros = 0
        if i < b.count, b[i] == 46 {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if digits < 6 { micros = micros * 10 + Int(b[i] - 48); digits += 1 }
                i += 1
            }
            while digits < 6 { micros *= 10; digits += 1 }
        }
        guard i < b.count, b[i] == 43 || b[i] == 45 else { return nil }
        let sign = b[i] == 43 ? 1 : -1
        i += 1
        guard let offsetHours = number(i, 2) else { return nil }
        var offset = offsetHours * 3600
        i += 2
        if i < b.count, b[i] == 58, let m = number(i + 1, 2) { offset += m * 60; i += 3 }
        if i < b.count, b[i] == 58, let s = number(i + 1, 2) { offset += s; i += 3 }
        guard i == b.count else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let epoch = Int64(timegm(&parts)) - Int64(sign * offset)
        return Date(timeIntervalSince1970: Double(epoch) + Double(micros) / 1_000_000)
    }
}

/// One-dimensional `text[]` in Postgres' array text format (`{a,"b c","d\"e"}`).
enum PostgresTextArray {
    /// Quotes every element, escaping `"` and `\`.
    static func format(_ values: [String]) -> String {
        format(values.map(Optional.some))
    }

    /// Quotes every element, escaping `"` and `\`; `nil` becomes an unquoted `NULL`.
    static func format(_ values: [String?]) -> String {
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(2 + values.count * 16)
        for (index, element) in values.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            guard let value = element else {
                out.append(contentsOf: "NULL".utf8)
                continue
            }
            out.append(UInt8(ascii: "\""))
            for byte in value.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
                out.append(byte)
            }
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses a one-dimensional array; `nil` for malformed text, nested arrays or NULL elements.
    static func parse(_ text: String) -> [String]? {
        let s = Array(text.utf8)
        guard s.first == UInt8(ascii: "{"), s.last == UInt8(ascii: "}") else { return nil }
        var result: [String] = []
        var i = 1
        let end = s.count - 1
        if i == end { return [] }
        while i < end {
            var bytes: [UInt8] = []
            if s[i] == UInt8(ascii: "\"") {
                i += 1
                while i < end, s[i] != UInt8(ascii: "\"") {
                    if s[i] == UInt8(ascii: "\\") { i += 1; guard i < end else { return nil } }
                    bytes.append(s[i])
                    i += 1
                }
                guard i < end else { return nil }
                i += 1
            } else {
                while i < end, s[i] != UInt8(ascii: ",") {
                    if s[i] == UInt8(ascii: "{") || s[i] == UInt8(ascii: "\"") { return nil }
                    bytes.append(s[i])
                    i += 1
                }
                if bytes == Array("NULL".utf8) { return nil }
            }
            result.append(String(decoding: bytes, as: UTF8.self))
            if i < end {
                guard s[i] == UInt8(ascii: ",") else { return nil }
                i += 1
                if i == end { return nil }
            }
        }
        return result
    }
}

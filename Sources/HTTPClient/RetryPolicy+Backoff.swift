import Foundation

extension RetryPolicy {
    /// Whether `method` is idempotent (RFC 9110 §9.2.2), so a retry cannot apply it twice.
    public static func isIdempotent(_ method: String) -> Bool {
        switch method.uppercased() {
        case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE": return true
        default: return false
        }
    }

    /// Whether this policy lets `method` be retried at all.
    public func allowsRetry(of method: String) -> Bool {
        maxAttempts > 1 && (retryNonIdempotent || Self.isIdempotent(method))
    }

    /// The jittered wait before retry number `retry` (1 for the first retry): uniformly random in
    /// `0 ... min(maxDelay, baseDelay * 2^(retry-1))` ("full jitter"), drawn from `generator`.
    public func backoff(retry: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let exponent = Double(min(max(retry - 1, 0), 62))
        let ceiling = min(maxDelay.seconds, baseDelay.seconds * pow(2, exponent))
        guard ceiling > 0 else { return .zero }
        return .seconds(Double.random(in: 0...ceiling, using: &generator))
    }

    /// The wait before retry number `retry` after `outcome`, or nil when the outcome is final.
    ///
    /// Retried: a status in `retryStatuses`, and failures where no response arrived because the
    /// connection could not be made, timed out or broke (`connect`, `timeout`, `io`). A valid
    /// `Retry-After` on the response replaces the jittered backoff; every wait is capped at `maxDelay`.
    public func delay(
        after outcome: Result<ClientResponse, HTTPClientError>,
        retry: Int,
        now: Date = Date(),
        using generator: inout some RandomNumberGenerator
    ) -> Duration? {
        switch outcome {
        case .success(let response):
            guard retryStatuses.contains(response.status) else { return nil }
            if let header = response.headers["Retry-After"], let wait = Self.retryAfter(header, now: now) {
                return min(wait, maxDelay)
            }
        case .failure(let error):
            guard [.connect, .timeout, .io].contains(error.code) else { return nil }
        }
        return backoff(retry: retry, using: &generator)
    }

    /// Parses a `Retry-After` value (RFC 9110 §10.2.3): delay-seconds or an HTTP date
    /// (IMF-fixdate); a date in the past means no wait. Nil when malformed.
    public static func retryAfter(_ value: String, now: Date) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if !trimmed.isEmpty, trimmed.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            guard let seconds = Int64(trimmed) else { return nil }  // absurdly large: ignore
            return .seconds(seconds)
        }
        guard let date = HTTPDate.parse(trimmed) else { return nil }
        let interval = date.timeIntervalSince(now)
        return interval > 0 ? .seconds(interval) : .zero
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}

/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110 §5.6.7), the only date form senders
/// may generate; the obsolete forms are not accepted.
enum HTTPDate {
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private static let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    static func parse(_ text: String) -> Date? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0].count == 4, parts[0].hasSuffix(","),
            days.contains(String(parts[0].dropLast())), parts[5] == "GMT",
            let day = number(parts[1], digits: 2),
            let monthIndex = months.firstIndex(of: String(parts[2])),
            let year = number(parts[3], digits: 4)
        else { return nil }
        let clock = parts[4].split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 3, let hour = number(clock[0], digits: 2),
            let minute = number(clock[1], digits: 2), let second = number(clock[2], digits: 2),
            (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day <= monthDays[monthIndex] else { return nil }
        let days = daysFromCivil(year: year, month: monthIndex + 1, day: day)
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    private static func number(_ text: Substring, digits: Int) -> Int? {
        guard text.utf8.count == digits, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int(text)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

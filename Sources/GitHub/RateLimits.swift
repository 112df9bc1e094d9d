import Foundation

/// The last rate-limit figures GitHub reported for one credential and resource.
public struct RateLimitSnapshot: Sendable, Equatable {
    /// Whose budget: `app` (JWT calls) or `installation:<id>`.
    public var scope: String
    /// `x-ratelimit-resource`, e.g. `core`.
    public var resource: String
    /// `x-ratelimit-limit` (requests per hour).
    public var limit: Int?
    /// `x-ratelimit-remaining`.
    public var remaining: Int
    /// `x-ratelimit-reset`: when the window resets.
    public var resetAt: Date?
    /// When these figures were received.
    public var observedAt: Date
}

/// Tracks GitHub's rate-limit headers per credential and answers how long to hold back.
///
/// Primary limit: `x-ratelimit-remaining: 0` means wait until `x-ratelimit-reset`. Secondary
/// limits: honour `retry-after`, otherwise wait at least a minute (GitHub's REST rate-limit docs).
actor RateLimitTracker {
    private var snapshots: [String: RateLimitSnapshot] = [:]
    private var blockedUntil: [String: Date] = [:]

    /// Records the headers of any response made with `scope`'s credential.
    func record(scope: String, headers: [String: String], now: Date) {
        guard let remainingText = headers["x-ratelimit-remaining"], let remaining = Int(remainingText) else { return }
        let resource = headers["x-ratelimit-resource"] ?? "core"
        let reset = headers["x-ratelimit-reset"].flatMap(Double.init).map(RateLimitTracker.resetDate)
        snapshots[scope + "|" + resource] = RateLimitSnapshot(
            scope: scope, resource: resource, limit: headers["x-ratelimit-limit"].flatMap { Int($0) },
            remaining: remaining, resetAt: reset, observedAt: now)
        if remaining == 0, let reset, reset > now {
            blockedUntil[scope] = max(blockedUntil[scope] ?? reset, reset)
        }
    }

    /// Blocks `scope` until `until` (after a rate-limited answer).
    func block(scope: String, until: Date) {
        blockedUntil[scope] = max(blockedUntil[scope] ?? until, until)
    }

    /// How long a call with `scope`'s credential must wait before it may be sent, if at all.
    func delay(scope: String, now: Date) -> Duration? {
        guard let until = blockedUntil[scope] else { return nil }
        if until <= now {
            blockedUntil[scope] = nil
            return nil
        }
        return .milliseconds(Int64((until.timeIntervalSince(now) * 1000).rounded(.up)))
    }

    /// Every budget seen so far, ordered by scope and resource.
    func all() -> [RateLimitSnapshot] {
        snapshots.values.sorted { ($0.scope, $0.resource) < ($1.scope, $1.resource) }
    }

    /// How long a rate-limited answer asks us to wait: `retry-after` seconds, else the primary
    /// reset time when `remaining` is 0, else nil (not a rate limit).
    static func retryDelay(status: Int, headers: [String: String], message: String?, now: Date) -> Duration? {
        guard status == 403 || status == 429 else { return nil }
        if let text = headers["retry-after"]?.trimmingCharacters(in: .whitespaces) {
            if let seconds = Int(text), seconds >= 0 { return .seconds(seconds) }
            if let date = httpDate(text) { return .milliseconds(max(0, Int64(date.timeIntervalSince(now) * 1000))) }
        }
        if headers["x-ratelimit-remaining"] == "0" {
            let reset = headers["x-ratelimit-reset"].flatMap(Double.init).map(resetDate)
            let wait = reset.map { max(0, $0.timeIntervalSince(now)) + 1 } ?? 60
            return .milliseconds(Int64(wait * 1000))
        }
        if status == 429 || (message ?? "").lowercased().contains("rate limit") {
            return .seconds(60)
        }
        return nil
    }

    /// `x-ratelimit-reset` is epoch seconds; some recordings (octokit) carry milliseconds.
    static func resetDate(_ value: Double) -> Date {
        Date(timeIntervalSince1970: value > 100_000_000_000 ? value / 1000 : value)
    }

    private static func httpDate(_ text: String) -> Date? {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return f.date(from: text)
    }
}

/// Paces JIT registrations: a token bucket refilled at `ratePerSecond` up to `burst` tokens.
///
/// GitHub caps runner registrations per App at roughly 10,000 per hour; the default 2.7/s stays
/// just under that. A caller that would wait longer than `maxWait` is told to retry later
/// instead of queueing.
actor JITPacer {
    let ratePerSecond: Double
    let burst: Double
    let maxWait: Duration
    private let clock: GitHubClock
    private var tokens: Double
    private var last: Date?

    init(ratePerSecond: Double, burst: Int, maxWait: Duration, clock: GitHubClock) {
        self.ratePerSecond = max(0.001, ratePerSecond)
        self.burst = Double(max(1, burst))
        self.maxWait = maxWait
        self.clock = clock
        self.tokens = Double(max(1, burst))
    }

    /// Takes one token, sleeping until it is due; throws `.rateLimited` when the wait would
    /// exceed `maxWait`.
    func acquire() async throws(GitHubError) {
        refill()
        let deficit = 1 - tokens
        if deficit <= 0 {
            tokens -= 1
            return
        }
        let wait = Duration.milliseconds(Int64((deficit / ratePerSecond * 1000).rounded(.up)))
        guard wait <= maxWait else {
            throw GitHubError(code: .rateLimited, message: "JIT registration pacing: budget exhausted", retryAfter: wait)
        }
        // Reserve the token now so concurrent callers queue behind this one.
        tokens -= 1
        do {
            try await clock.sleep(wait)
        } catch {
            tokens += 1
            throw GitHubError(code: .transport, message: "cancelled while waiting for JIT pacing")
        }
    }

    /// Tokens available now (negative when callers are queued); a gauge for `/metrics`.
    func available() -> Double {
        refill()
        return tokens
    }

    private func refill() {
        let now = clock.now()
        if let last {
            tokens = min(burst, tokens + max(0, now.timeIntervalSince(last)) * ratePerSecond)
        }
        last = now
    }
}

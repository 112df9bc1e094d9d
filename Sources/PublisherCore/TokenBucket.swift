import Foundation
import RunwayKit

/// A token bucket: `rate` tokens per second up to `burst`, refilled lazily from the time given.
///
/// A pure value; callers pass `now`, so tests drive it with simulated time.
public struct TokenBucket: Sendable, Equatable {
    /// Tokens added per second; `.infinity` lifts the limit.
    public let rate: Double
    /// Largest number of tokens held.
    public let burst: Double
    /// Tokens available at `updatedAt`.
    public private(set) var tokens: Double
    private var updatedAt: Date

    /// A full bucket at `now`.
    public init(rate: Double, burst: Int, now: Date) {
        self.rate = rate
        self.burst = Double(max(1, burst))
        self.tokens = Double(max(1, burst))
        self.updatedAt = now
    }

    /// Whole tokens available at `now`.
    public mutating func available(now: Date) -> Int {
        refill(now: now)
        if rate.isInfinite { return Int.max / 4 }
        return Int(tokens.rounded(.down))
    }

    /// Takes up to `count` whole tokens at `now`; returns how many were taken.
    public mutating func take(upTo count: Int, now: Date) -> Int {
        let taken = min(count, available(now: now))
        if !rate.isInfinite { tokens -= Double(taken) }
        return max(0, taken)
    }

    /// Gives back tokens taken but not used (a claim returned fewer jobs than granted).
    public mutating func refund(_ count: Int) {
        guard count > 0, !rate.isInfinite else { return }
        tokens = min(burst, tokens + Double(count))
    }

    /// When the next whole token is available (now if one already is).
    public mutating func nextToken(now: Date) -> Date {
        refill(now: now)
        if tokens >= 1 || rate.isInfinite { return now }
        guard rate > 0 else { return .distantFuture }
        return now.addingTimeInterval((1 - tokens) / rate)
    }

    private mutating func refill(now: Date) {
        let elapsed = now.timeIntervalSince(updatedAt)
        if elapsed > 0, !rate.isInfinite {
            tokens = min(burst, tokens + elapsed * rate)
        }
        if elapsed > 0 { updatedAt = now }
    }
}

/// Jittered exponential backoff for launch retries.
public struct Backoff: Sendable, Equatable {
    /// Delay before the second attempt (default 2 s).
    public var base: Duration
    /// Largest delay (default 5 min).
    public var cap: Duration

    /// Creates a backoff policy.
    public init(base: Duration = .seconds(2), cap: Duration = .seconds(300)) {
        self.base = base
        self.cap = cap
    }

    /// The delay after failed attempt `attempt` (1-based): uniformly in [d/2, d] with
    /// d = min(cap, base · 2^(attempt−1)), never below a server's `Retry-After` hint.
    public func delay(afterAttempt attempt: Int, hint: Duration?, random: Double) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let full = min(base.seconds * pow(2, Double(exponent)), cap.seconds)
        let jittered = full * (0.5 + 0.5 * min(max(random, 0), 1))
        let seconds = max(jittered, hint?.seconds ?? 0)
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }
}

import Foundation
import HTTP
import Testing

@testable import HTTPClient

/// Always returns the same word, to pin `random(in:)` to an end of its range.
struct FixedGenerator: RandomNumberGenerator {
    var value: UInt64
    mutating func next() -> UInt64 { value }
}

/// A seeded generator (SplitMix64) for repeatable draws.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(100), maxDelay: .seconds(1))

    @Test func backoffCeilingDoublesPerRetryUntilMaxDelay() {
        var top = FixedGenerator(value: .max)
        let ceilings = (1...6).map { policy.backoff(retry: $0, using: &top) }
        let expected: [Duration] = [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1)]
        for (got, want) in zip(ceilings, expected) {
            #expect(abs(got.seconds - want.seconds) < 1e-9, "\(got) vs \(want)")
        }
    }

    @Test func backoffFloorIsZero() {
        var bottom = FixedGenerator(value: 1)
        for retry in 1...6 {
            #expect(policy.backoff(retry: retry, using: &bottom).seconds < 1e-9)
        }
    }

    @Test func jitteredDrawsStayWithinBoundsAndSpreadAcrossThem() {
        var generator = SeededGenerator(state: 42)
        let draws = (0..<2000).map { _ in policy.backoff(retry: 3, using: &generator).seconds }
        #expect(draws.allSatisfy { $0 >= 0 && $0 <= 0.4 })
        #expect(draws.min()! < 0.02)
        #expect(draws.max()! > 0.38)
        #expect(Set(draws).count > 1900)
    }

    @Test func hugeRetryNumbersDoNotOverflow() {
        var top = FixedGenerator(value: .max)
        #expect(policy.backoff(retry: 10_000, using: &top) == .seconds(1))
    }

    @Test func retryAfterSecondsReplacesBackoffAndIsCappedByMaxDelay() {
        var generator = SeededGenerator(state: 1)
        let wide = RetryPolicy(maxDelay: .seconds(20))
        #expect(wide.delay(after: .success(response(503, retryAfter: "1")), retry: 1, using: &generator) == .seconds(1))
        #expect(wide.delay(after: .success(response(429, retryAfter: "120")), retry: 1, using: &generator) == .seconds(20))
        #expect(wide.delay(after: .success(response(503, retryAfter: "0")), retry: 1, using: &generator) == .zero)
    }

    @Test func retryAfterHTTPDate() {
        let now = Date(timeIntervalSince1970: 784_111_772)  // 5 s before the header's date
        let value = "Sun, 06 Nov 1994 08:49:37 GMT"
        #expect(RetryPolicy.retryAfter(value, now: now) == .seconds(5))
        #expect(RetryPolicy.retryAfter(value, now: now.addingTimeInterval(60)) == .zero)
    }

    @Test(arguments: [
        "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Mon, 31 Feb 2025 00:00:00 GMT",
        "Sun, 06 Nov 1994 08:49:37 UTC", "soon", "-1", "1.5", "", "Sun, 06 Nov 1994 24:00:00 GMT",
    ])
    func malformedRetryAfterIsIgnored(_ value: String) {
        #expect(RetryPolicy.retryAfter(value, now: Date()) == nil)
    }

    @Test func malformedRetryAfterFallsBackToBackoff() {
        var top = FixedGenerator(value: .max)
        let delay = policy.delay(after: .success(response(503, retryAfter: "later")), retry: 2, using: &top)
        #expect(delay.map { abs($0.seconds - 0.2) < 1e-9 } == true)
    }

    @Test func imfFixdateParses() {
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == Date(timeIntervalSince1970: 784_111_777))
        #expect(HTTPDate.parse("Thu, 29 Feb 2024 23:59:59 GMT") == Date(timeIntervalSince1970: 1_709_251_199))
        #expect(HTTPDate.parse("Sat, 01 Jan 2000 00:00:00 GMT") == Date(timeIntervalSince1970: 946_684_800))
    }

    @Test func onlyRetryableOutcomesAreRetried() {
        var generator = SeededGenerator(state: 7)
        #expect(policy.delay(after: .success(response(404)), retry: 1, using: &generator) == nil)
        #expect(policy.delay(after: .success(response(200)), retry: 1, using: &generator) == nil)
        #expect(policy.delay(after: .success(response(502)), retry: 1, using: &generator) != nil)
        for code in [HTTPClientError.Code.connect, .timeout, .io] {
            #expect(policy.delay(after: .failure(HTTPClientError(code: code, message: "")), retry: 1, using: &generator) != nil)
        }
        for code in [HTTPClientError.Code.tls, .invalidURL, .shutdown, .other] {
            #expect(policy.delay(after: .failure(HTTPClientError(code: code, message: "")), retry: 1, using: &generator) == nil)
        }
    }

    @Test func idempotentMethodsOnlyUnlessAskedOtherwise() {
        for method in ["GET", "head", "PUT", "DELETE", "OPTIONS"] {
            #expect(RetryPolicy.default.allowsRetry(of: method))
        }
        for method in ["POST", "PATCH"] {
            #expect(!RetryPolicy.default.allowsRetry(of: method))
            #expect(RetryPolicy(retryNonIdempotent: true).allowsRetry(of: method))
        }
        #expect(!RetryPolicy(maxAttempts: 1).allowsRetry(of: "GET"))
    }

    private func response(_ status: Int, retryAfter: String? = nil) -> ClientResponse {
        var headers = HTTPHeaders()
        if let retryAfter { headers.add("Retry-After", retryAfter) }
        return ClientResponse(status: status, headers: headers, body: [])
    }
}

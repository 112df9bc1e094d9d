import Synchronization

/// Fast unique random identifiers for trace, span and request ids.
///
/// A SplitMix64 sequence over an atomic counter, seeded once from the system generator: ids are
/// unique within a process and unpredictable enough for correlation (they are not secrets), at the
/// cost of one atomic add instead of a `getrandom` system call per byte.
enum RandomIDs {
    private static let seed: UInt64 = {
        var rng = SystemRandomNumberGenerator()
        return rng.next()
    }()
    private static let counter = Atomic<UInt64>(0)

    /// The next 64 random-looking bits.
    static func next() -> UInt64 {
        let n = counter.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed).newValue
        var z = seed &+ n
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private static let digits = Array("0123456789abcdef".utf8)

    /// `bytes * 2` lowercase hex digits, never all zero.
    static func hex(bytes: Int) -> String {
        let count = bytes * 2
        var allZero = true
        let result = String(unsafeUninitializedCapacity: count) { out in
            var written = 0
            while written < count {
                var word = next()
                if word != 0 { allZero = false }
                for _ in 0..<min(16, count - written) {
                    out[written] = digits[Int(word >> 60)]
                    word <<= 4
                    written += 1
                }
            }
            return count
        }
        return allZero ? hex(bytes: bytes) : result
    }
}

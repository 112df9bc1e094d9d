import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The two UTC date forms SigV4 uses: `20150830T123600Z` and `20150830`.
struct AMZDate {
    /// `YYYYMMDD'T'HHMMSS'Z'`.
    let full: String
    /// `YYYYMMDD`.
    let day: String

    init(_ date: Date) {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        func two(_ v: Int32) { bytes.append(UInt8(48 + v / 10)); bytes.append(UInt8(48 + v % 10)) }
        let year = parts.tm_year + 1900
        two(year / 100); two(year % 100); two(parts.tm_mon + 1); two(parts.tm_mday)
        day = String(decoding: bytes, as: UTF8.self)
        bytes.append(0x54)
        two(parts.tm_hour); two(parts.tm_min); two(parts.tm_sec)
        bytes.append(0x5A)
        full = String(decoding: bytes, as: UTF8.self)
    }

    /// Parses `YYYYMMDD'T'HHMMSS'Z'`; nil when malformed.
    static func parse(_ s: String) -> Date? {
        let b = Array(s.utf8)
        guard b.count == 16, b[8] == 0x54, b[15] == 0x5A else { return nil }
        func num(_ r: Range<Int>) -> Int32? {
            var v: Int32 = 0
            for i in r { guard b[i] >= 48, b[i] <= 57 else { return nil }; v = v * 10 + Int32(b[i] - 48) }
            return v
        }
        guard let y = num(0..<4), let mo = num(4..<6), let d = num(6..<8),
              let h = num(9..<11), let mi = num(11..<13), let se = num(13..<15) else { return nil }
        var parts = tm()
        parts.tm_year = y - 1900; parts.tm_mon = mo - 1; parts.tm_mday = d
        parts.tm_hour = h; parts.tm_min = mi; parts.tm_sec = se
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }
}

/// Caches the derived signing key of the last (access key, day) pair.
final class SigningKeyCache: @unchecked Sendable {
    // Safety: every access to `entry` holds `lock`.
    private let lock = NSLock()
    private var entry: (accessKeyId: String, secret: String, day: String, key: [UInt8])?

    func lookup(accessKeyId: String, secret: String, day: String) -> [UInt8]? {
        lock.lock()
        defer { lock.unlock() }
        guard let e = entry, e.day == day, e.accessKeyId == accessKeyId, e.secret == secret else { return nil }
        return e.key
    }

    func store(accessKeyId: String, secret: String, day: String, key: [UInt8]) {
        lock.lock()
        entry = (accessKeyId, secret, day, key)
        lock.unlock()
    }
}

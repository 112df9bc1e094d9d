import Foundation

/// Typed value readers for `PoolsValidator`: each records a problem and returns nil on a bad value.
extension PoolsValidator {
    mutating func unknownKeys(_ map: [String: Any], allowed: Set<String>, at: String) {
        for key in map.keys.sorted() where !allowed.contains(key) {
            problems.append("\(source): \(at): unknown key '\(key)'")
        }
    }

    mutating func string(_ value: Any?, at: String, required: Bool = false) -> String? {
        switch value {
        case nil:
            if required { problems.append("\(source): \(at): is required") }
            return nil
        case let s as String where !s.isEmpty:
            return s
        case let n as Int:
            return String(n)
        default:
            problems.append("\(source): \(at): must be a non-empty string")
            return nil
        }
    }

    mutating func int(_ value: Any?, at: String, range: ClosedRange<Int>) -> Int? {
        guard let value else { return nil }
        guard let n = value as? Int else {
            problems.append("\(source): \(at): must be an integer")
            return nil
        }
        guard range.contains(n) else {
            problems.append("\(source): \(at): must be between \(range.lowerBound) and \(range.upperBound)")
            return nil
        }
        return n
    }

    mutating func double(_ value: Any?, at: String, range: ClosedRange<Double>) -> Double? {
        guard let value else { return nil }
        let number: Double? = (value as? Double) ?? (value as? Int).map(Double.init)
        guard let number, number.isFinite else {
            problems.append("\(source): \(at): must be a number")
            return nil
        }
        guard range.contains(number) else {
            problems.append("\(source): \(at): must be between \(range.lowerBound) and \(range.upperBound)")
            return nil
        }
        return number
    }

    mutating func bool(_ value: Any?, at: String) -> Bool? {
        guard let value else { return nil }
        guard let b = value as? Bool else {
            problems.append("\(source): \(at): must be true or false")
            return nil
        }
        return b
    }

    mutating func duration(_ value: Any?, at: String) -> Duration? {
        guard let value else { return nil }
        let text: String? = (value as? String) ?? (value as? Int).map { String($0) }
        guard let text, let d = DurationParser.parse(text), d > .zero else {
            problems.append("\(source): \(at): must be a duration like 30s, 10m or 6h")
            return nil
        }
        return d
    }

    mutating func stringList(_ value: Any?, at: String) -> [String]? {
        guard let value else { return nil }
        guard let list = value as? [Any] else {
            problems.append("\(source): \(at): must be a list of strings")
            return nil
        }
        var result: [String] = []
        for (i, item) in list.enumerated() {
            guard let s = item as? String, !s.isEmpty, s.count <= 256 else {
                problems.append("\(source): \(at)[\(i)]: must be a non-empty string of at most 256 characters")
                continue
            }
            result.append(s)
        }
        return result
    }

    mutating func stringMap(_ value: Any?, at: String) -> [String: String]? {
        guard let value else { return nil }
        guard let map = value as? [String: Any] else {
            problems.append("\(source): \(at): must be a mapping of strings")
            return nil
        }
        var result: [String: String] = [:]
        for (key, item) in map {
            switch item {
            case let s as String: result[key] = s
            case let n as Int: result[key] = String(n)
            case let b as Bool: result[key] = String(b)
            case let d as Double: result[key] = String(d)
            default: problems.append("\(source): \(at).\(key): must be a string")
            }
        }
        return result
    }

    mutating func enumValue<E: RawRepresentable & CaseIterable>(_ type: E.Type, _ value: Any?, at: String) -> E? where E.RawValue == String {
        guard let s = value as? String else {
            problems.append("\(source): \(at): is required (one of \(E.allCases.map(\.rawValue).joined(separator: ", ")))")
            return nil
        }
        guard let e = E(rawValue: s.lowercased()) else {
            problems.append("\(source): \(at): must be one of \(E.allCases.map(\.rawValue).joined(separator: ", ")), got '\(s)'")
            return nil
        }
        return e
    }

    static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first >= 97 && first <= 122, name.utf8.count <= 40 else { return false }
        return name.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 } && !name.hasSuffix("-")
    }

    static func isHTTPURL(_ s: String) -> Bool {
        guard let url = URL(string: s), let scheme = url.scheme?.lowercased(), url.host != nil else { return false }
        return scheme == "http" || scheme == "https"
    }

    static func trimSlash(_ s: String) -> String {
        var s = s
        while s.hasSuffix("/") { s.removeLast() }
        return s
    }
}

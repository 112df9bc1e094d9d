import Foundation

/// The Postgres types Runway binds and decodes, with their type OIDs (`pg_type.oid`).
public enum PostgresType: UInt32, Sendable {
    /// `bool`.
    case bool = 16
    /// `bigint`.
    case int8 = 20
    /// `integer`.
    case int4 = 23
    /// `text`.
    case text = 25
    /// `double precision`.
    case float8 = 701
    /// `text[]`.
    case textArray = 1009
    /// `bigint[]`.
    case int8Array = 1016
    /// `timestamptz[]`.
    case timestamptzArray = 1185
    /// `timestamptz`.
    case timestamptz = 1184
    /// `jsonb`.
    case jsonb = 3802
}

/// One typed query parameter (`$n`), sent in text format with its type OID.
///
/// Every constructor takes an optional, so a Swift `nil` becomes a typed SQL `NULL`
/// (which keeps `$1 IS NULL` well-typed).
public struct PostgresValue: Sendable, Equatable {
    /// The declared parameter type.
    public var type: PostgresType
    /// The text representation, `nil` for SQL `NULL`.
    public var text: String?

    /// A `text` parameter.
    public static func text(_ value: String?) -> PostgresValue { .init(type: .text, text: value) }
    /// An `integer` parameter.
    public static func int32(_ value: Int32?) -> PostgresValue { .init(type: .int4, text: value.map { String($0) }) }
    /// A `bigint` parameter.
    public static func int64(_ value: Int64?) -> PostgresValue { .init(type: .int8, text: value.map { String($0) }) }
    /// A `bigint` parameter from a Swift `Int`.
    public static func int(_ value: Int?) -> PostgresValue { .init(type: .int8, text: value.map { String($0) }) }
    /// A `bool` parameter.
    public static func bool(_ value: Bool?) -> PostgresValue { .init(type: .bool, text: value.map { $0 ? "t" : "f" }) }
    /// A `double precision` parameter.
    public static func double(_ value: Double?) -> PostgresValue { .init(type: .float8, text: value.map { "\($0)" }) }
    /// A `timestamptz` parameter (microsecond precision, UTC).
    public static func timestamptz(_ value: Date?) -> PostgresValue {
        .init(type: .timestamptz, text: value.map(PostgresTimestamp.format))
    }
    /// A `jsonb` parameter from JSON text.
    public static func jsonb(_ json: String?) -> PostgresValue { .init(type: .jsonb, text: json) }
    /// A `text[]` parameter.
    public static func textArray(_ value: [String]?) -> PostgresValue {
        .init(type: .textArray, text: value.map(PostgresTextArray.format))
    }
    /// A `text[]` parameter whose elements may be `NULL` (for `unnest` batches).
    public static func nullableTextArray(_ value: [String?]) -> PostgresValue {
        .init(type: .textArray, text: PostgresTextArray.format(value))
    }
    /// A `bigint[]` parameter whose elements may be `NULL`.
    public static func int64Array(_ value: [Int64?]) -> PostgresValue {
        .init(type: .int8Array, text: "{" + value.map { $0.map { String($0) } ?? "NULL" }.joined(separator: ",") + "}")
    }
    /// A `timestamptz[]` parameter whose elements may be `NULL`.
    public static func timestamptzArray(_ value: [Date?]) -> PostgresValue {
        .init(type: .timestamptzArray, text: PostgresTextArray.format(value.map { $0.map(PostgresTimestamp.format) }))
    }
}

/// A Swift type a column can be decoded into from Postgres' text format.
public protocol PostgresDecodable {
    /// Decodes one cell; `text` is `nil` for SQL `NULL`. Throws `PostgresError(.decoding)`.
    static func decode(postgresText text: String?, column: String) throws -> Self
}

extension PostgresDecodable {
    static func nonNull(_ text: String?, _ column: String) throws -> String {
        guard let text else { throw PostgresError(.decoding, "column \(column) is NULL, expected \(Self.self)") }
        return text
    }

    static func mismatch(_ column: String) -> PostgresError {
        PostgresError(.decoding, "column \(column) is not a valid \(Self.self)")
    }
}

extension String: PostgresDecodable {
    /// Any column's text.
    public static func decode(postgresText text: String?, column: String) throws -> String { try nonNull(text, column) }
}

extension Int64: PostgresDecodable {
    /// `smallint`, `integer` or `bigint`.
    public static func decode(postgresText text: String?, column: String) throws -> Int64 {
        guard let value = Int64(try nonNull(text, column)) else { throw mismatch(column) }
        return value
    }
}

extension Int: PostgresDecodable {
    /// `smallint`, `integer` or `bigint`.
    public static func decode(postgresText text: String?, column: String) throws -> Int {
        guard let value = Int(try nonNull(text, column)) else { throw mismatch(column) }
        return value
    }
}

extension Int32: PostgresDecodable {
    /// `smallint` or `integer`.
    public static func decode(postgresText text: String?, column: String) throws -> Int32 {
        guard let value = Int32(try nonNull(text, column)) else { throw mismatch(column) }
        return value
    }
}

extension Double: PostgresDecodable {
    /// `double precision`, `real` or `numeric`.
    public static func decode(postgresText text: String?, column: String) throws -> Double {
        guard let value = Double(try nonNull(text, column)) else { throw mismatch(column) }
        return value
    }
}

extension Bool: PostgresDecodable {
    /// `bool` (`t`/`f`).
    public static func decode(postgresText text: String?, column: String) throws -> Bool {
        switch try nonNull(text, column) {
        case "t": return true
        case "f": return false
        default: throw mismatch(column)
        }
    }
}

extension Date: PostgresDecodable {
    /// `timestamptz` in ISO style (the pool sets `DateStyle=ISO`, `TimeZone=UTC`).
    public static func decode(postgresText text: String?, column: String) throws -> Date {
        guard let date = PostgresTimestamp.parse(try nonNull(text, column)) else { throw mismatch(column) }
        return date
    }
}

extension Array: PostgresDecodable where Element == String {
    /// A one-dimensional `text[]` without NULL elements.
    public static func decode(postgresText text: String?, column: String) throws -> [String] {
        guard let array = PostgresTextArray.parse(try nonNull(text, column)) else { throw mismatch(column) }
        return array
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    /// SQL `NULL` as `nil`, anything else as `Wrapped`.
    public static func decode(postgresText text: String?, column: String) throws -> Wrapped? {
        guard let text else { return nil }
        return try Wrapped.decode(postgresText: text, column: column)
    }
}

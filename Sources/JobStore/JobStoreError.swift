/// An error from the job store that callers can match on by `code`.
///
/// Database failures are not wrapped: they surface as `PostgresError` (whose `isRetryable` tells a
/// Postgres outage apart from a bug). Messages never contain field values from the payload.
public struct JobStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Equatable {
        /// The event failed validation (unknown status, missing or absurd field); nothing was stored.
        case invalidEvent = "invalid_event"
        /// An argument to a store call is out of range (negative limit, empty lease owner, ...).
        case invalidArgument = "invalid_argument"
        /// The database schema is newer than this binary knows; upgrade the binary.
        case schemaTooNew = "schema_too_new"
        /// The database schema is older than this binary needs; run `runway migrate`.
        case schemaTooOld = "schema_too_old"
        /// A migration file shipped with the binary is missing or malformed.
        case badMigration = "bad_migration"
        /// The store has been shut down.
        case closed
    }

    /// The matchable kind of error.
    public var code: Code
    /// A message safe to log: it names fields, never their values.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }
}

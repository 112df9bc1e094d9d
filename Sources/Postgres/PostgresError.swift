/// An error from the Postgres client. Its description never contains bind values, row data or
/// the connection password: server messages are kept only for SQLSTATE classes whose text
/// cannot echo data (see `safeServerMessage`).
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// The matchable kind of failure.
    public enum Code: String, Sendable, Equatable {
        /// Could not connect (server down, refused, authentication failed).
        case connectionFailed = "connection_failed"
        /// The connection broke while a statement was in flight; its outcome is unknown.
        case connectionLost = "connection_lost"
        /// The server rejected the statement; see `sqlState`.
        case server
        /// `statement_timeout` or a cancel ended the statement (SQLSTATE 57014).
        case timeout
        /// No connection became free within `acquireTimeout`.
        case poolExhausted = "pool_exhausted"
        /// The pool was shut down.
        case poolClosed = "pool_closed"
        /// A column could not be decoded into the requested Swift type.
        case decoding
        /// The statement returned something the caller did not expect (e.g. no row).
        case unexpectedResult = "unexpected_result"
    }

    /// The kind of failure.
    public var code: Code
    /// The five-character SQLSTATE for `.server` and `.timeout` errors.
    public var sqlState: String?
    /// A message safe to log.
    public var message: String
    /// The constraint the server named (unique and check violations).
    public var constraint: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, sqlState: String? = nil, constraint: String? = nil) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.constraint = constraint
    }

    /// Whether trying the same work again later can succeed: connection trouble, timeouts,
    /// serialization failures, deadlocks, server shutdown or overload.
    public var isRetryable: Bool {
        switch code {
        case .connectionFailed, .connectionLost, .timeout, .poolExhausted: return true
        case .poolClosed, .decoding, .unexpectedResult: return false
        case .server:
            guard let sqlState else { return false }
            if sqlState.hasPrefix("08") || sqlState.hasPrefix("53") { return true }
            return ["40001", "40P01", "55P03", "57P01", "57P02", "57P03"].contains(sqlState)
        }
    }

    /// Whether the error is a unique-constraint violation (SQLSTATE 23505).
    public var isUniqueViolation: Bool { sqlState == "23505" }

    /// Code, SQLSTATE, safe message and constraint; never bind values.
    public var description: String {
        var text = "postgres \(code.rawValue)"
        if let sqlState { text += " [\(sqlState)]" }
        text += ": \(message)"
        if let constraint { text += " (constraint \(constraint))" }
        return text
    }

    /// The server's primary message when its SQLSTATE class never quotes data, otherwise a
    /// generic one: classes 22 (data exception) and 23 (integrity) can echo bind values
    /// ("invalid input syntax for type bigint: ...", key values), so their text is dropped.
    static func safeServerMessage(sqlState: String, primary: String) -> String {
        let cls = sqlState.prefix(2)
        if cls == "22" { return "data exception" }
        if cls == "23" { return "integrity constraint violation" }
        if cls == "P0" { return "raised by a database function" }
        return primary
    }
}

import Foundation

/// How to reach Postgres and how many connections to hold.
public struct PostgresConfiguration: Sendable {
    /// A libpq connection string: a URI (`postgresql://user@host:5432/db?sslmode=require`) or
    /// `key=value` pairs. Empty means "everything from the `PG*` variables". Unset parameters
    /// fall back to the `PG*` environment variables, as libpq always does. Default: empty.
    public var connectionString: String
    /// Connections (and dedicated threads) in the pool. Default 8.
    public var poolSize: Int
    /// Server-side `statement_timeout` for every statement; `nil` disables it. Default 30 s.
    public var statementTimeout: Duration?
    /// Server-side `idle_in_transaction_session_timeout`, a backstop against a stuck transaction. Default 60 s.
    public var idleInTransactionTimeout: Duration?
    /// libpq `connect_timeout` (whole seconds, at least 2). Default 5 s.
    public var connectTimeout: Duration
    /// A query that waited this long for a free connection fails with `.poolExhausted`. Default 10 s.
    public var acquireTimeout: Duration
    /// Schema search path for every connection (tests use one schema each). Default: the server's.
    public var searchPath: String?
    /// `application_name` shown in `pg_stat_activity`. Default `runway`.
    public var applicationName: String

    /// Creates a configuration; see each property for its default.
    public init(
        connectionString: String = "",
        poolSize: Int = 8,
        statementTimeout: Duration? = .seconds(30),
        idleInTransactionTimeout: Duration? = .seconds(60),
        connectTimeout: Duration = .seconds(5),
        acquireTimeout: Duration = .seconds(10),
        searchPath: String? = nil,
        applicationName: String = "runway"
    ) {
        self.connectionString = connectionString
        self.poolSize = poolSize
        self.statementTimeout = statementTimeout
        self.idleInTransactionTimeout = idleInTransactionTimeout
        self.connectTimeout = connectTimeout
        self.acquireTimeout = acquireTimeout
        self.searchPath = searchPath
        self.applicationName = applicationName
    }

    /// The keyword/value pairs handed to `PQconnectdbParams` with `expand_dbname`: the
    /// connection string first, then Runway's session settings, which override any of its own.
    var connectParameters: [(String, String)] {
        var options = ["-c DateStyle=ISO", "-c TimeZone=UTC", "-c client_encoding=UTF8"]
        if let statementTimeout { options.append("-c statement_timeout=\(statementTimeout.milliseconds)") }
        if let idleInTransactionTimeout {
            options.append("-c idle_in_transaction_session_timeout=\(idleInTransactionTimeout.milliseconds)")
        }
        if let searchPath {
            // In libpq `options`, a backslash escapes the next character (spaces, backslashes).
            let escaped = searchPath.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: " ", with: "\\ ")
            options.append("-c search_path=\(escaped)")
        }
        var params: [(String, String)] = []
        if !connectionString.isEmpty { params.append(("dbname", connectionString)) }
        params.append(("options", options.joined(separator: " ")))
        params.append(("application_name", applicationName))
        params.append(("connect_timeout", String(max(2, connectTimeout.components.seconds))))
        // TCP keepalives detect a dead peer on an idle connection (libpq defaults leave them to the OS).
        params.append(("keepalives", "1"))
        params.append(("keepalives_idle", "10"))
        params.append(("keepalives_interval", "5"))
        params.append(("keepalives_count", "3"))
        return params
    }
}

extension Duration {
    /// Whole milliseconds, rounded down.
    var milliseconds: Int64 {
        let c = components
        return c.seconds * 1000 + c.attoseconds / 1_000_000_000_000_000
    }
}

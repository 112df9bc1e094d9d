import CLibPQ
import Foundation

/// One libpq connection. It is used by exactly one pool thread at a time and closed in `deinit`.
///
/// Calls are blocking: they run on the pool's dedicated threads, never on Swift's cooperative
/// pool (see `PostgresPool`). Not `Sendable` on purpose.
public final class PostgresConnection {
    private let handle: OpaquePointer
    private var preparedNames: [String: String] = [:]

    private init(handle: OpaquePointer) { self.handle = handle }

    deinit { PQfinish(handle) }

    /// Connects (blocking, bounded by `connect_timeout`).
    static func connect(_ configuration: PostgresConfiguration) throws -> PostgresConnection {
        let params = configuration.connectParameters
        let keywords = params.map { strdup($0.0) }
        let values = params.map { strdup($0.1) }
        defer {
            keywords.forEach { free($0) }
            values.forEach { free($0) }
        }
        var keywordPointers: [UnsafePointer<CChar>?] = keywords.map { UnsafePointer($0) } + [nil]
        var valuePointers: [UnsafePointer<CChar>?] = values.map { UnsafePointer($0) } + [nil]
        guard let handle = PQconnectdbParams(&keywordPointers, &valuePointers, 1) else {
            throw PostgresError(.connectionFailed, "libpq could not allocate a connection")
        }
        let connection = PostgresConnection(handle: handle)
        // libpq prints NOTICEs and the FATAL of a terminated session to stderr by default; Runway
        // reports failures through errors and its logger instead.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        guard PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError(.connectionFailed, connection.libpqMessage)
        }
        return connection
    }

    /// Whether the connection is usable: not broken, no transaction left open, and no error
    /// (e.g. the FATAL a server sends before a shutdown) waiting on the socket.
    var isHealthy: Bool {
        guard PQstatus(handle) == CONNECTION_OK else { return false }
        // An idle connection has nothing to read except notices and notifications. A terminated
        // session sends a FATAL and then EOF: keep reading while the socket stays readable, so
        // the EOF is seen here and not by the next statement.
        for _ in 0..<4 {
            var fd = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
            guard poll(&fd, 1, 0) > 0 else { break }
            if fd.revents & Int16(POLLHUP | POLLERR) != 0 { return false }
            if PQconsumeInput(handle) == 0 { return false }
            while let notify = PQnotifies(handle) { PQfreemem(notify) }
            if PQstatus(handle) != CONNECTION_OK { return false }
        }
        return PQtransactionStatus(handle) == PQTRANS_IDLE
    }

    /// The server's version number (e.g. 150018).
    public var serverVersion: Int { Int(PQserverVersion(handle)) }

    /// Runs one parameterised statement. Prepared once per connection and reused.
    @discardableResult
    public func query(_ sql: String, _ binds: [PostgresValue] = []) throws -> PostgresRows {
        let name = try prepared(sql, binds)
        return try withParameters(binds) { values, count in
            try consume(PQexecPrepared(handle, name, count, values, nil, nil, 0))
        }
    }

    /// Runs one or more statements without parameters (DDL, migrations) via the simple protocol.
    public func execute(_ sql: String) throws {
        _ = try consume(PQexec(handle, sql))
    }

    /// Runs `body` inside `BEGIN … COMMIT`, rolling back when it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        let value: T
        do {
            value = try body()
        } catch {
            if PQstatus(handle) == CONNECTION_OK { try? execute("ROLLBACK") }
            throw error
        }
        let result = PQexec(handle, "COMMIT")
        let tag = result.flatMap { String(cString: PQcmdStatus($0)) }
        _ = try consume(result)
        // COMMIT of an aborted transaction succeeds with the tag ROLLBACK: nothing was written.
        guard tag == "COMMIT" else {
            throw PostgresError(.unexpectedResult, "transaction was rolled back by the server")
        }
        return value
    }

    private func prepared(_ sql: String, _ binds: [PostgresValue]) throws -> String {
        if let name = preparedNames[sql] { return name }
        let name = "runway_\(preparedNames.count)"
        let types = binds.map { Oid($0.type.rawValue) }
        _ = try consume(PQprepare(handle, name, sql, Int32(types.count), types))
        preparedNames[sql] = name
        return name
    }

    private func withParameters<T>(
        _ binds: [PostgresValue],
        _ body: (UnsafePointer<UnsafePointer<CChar>?>?, Int32) throws -> T
    ) throws -> T {
        let copies: [UnsafeMutablePointer<CChar>?] = binds.map { $0.text.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
        return try pointers.withUnsafeBufferPointer { try body($0.baseAddress, Int32(binds.count)) }
    }

    /// Turns a result into rows or a `PostgresError`, and frees it.
    private func consume(_ result: OpaquePointer?) throws -> PostgresRows {
        guard let result else { throw lostOrFailed() }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return PostgresRows(columns: [], cells: [], affectedRows: Int(String(cString: PQcmdTuples(result))) ?? 0)
        case PGRES_TUPLES_OK:
            return rows(of: result)
        default:
            throw error(from: result)
        }
    }

    private func rows(of result: OpaquePointer) -> PostgresRows {
        let rowCount = PQntuples(result)
        let columnCount = PQnfields(result)
        let columns = (0..<columnCount).map { String(cString: PQfname(result, $0)) }
        var cells: [[String?]] = []
        cells.reserveCapacity(Int(rowCount))
        for r in 0..<rowCount {
            var row: [String?] = []
            row.reserveCapacity(Int(columnCount))
            for c in 0..<columnCount {
                row.append(PQgetisnull(result, r, c) == 1 ? nil : String(cString: PQgetvalue(result, r, c)))
            }
            cells.append(row)
        }
        return PostgresRows(columns: columns, cells: cells, affectedRows: Int(rowCount))
    }

    private func error(from result: OpaquePointer) -> PostgresError {
        func field(_ code: Int32) -> String? { PQresultErrorField(result, code).map { String(cString: $0) } }
        guard let sqlState = field(Int32(UInt8(ascii: "C"))) else { return lostOrFailed() }
        if PQstatus(handle) != CONNECTION_OK {
            return PostgresError(.connectionLost, "connection closed by the server", sqlState: sqlState)
        }
        let primary = field(Int32(UInt8(ascii: "M"))) ?? "error"
        let message = PostgresError.safeServerMessage(sqlState: sqlState, primary: primary)
        let code: PostgresError.Code = sqlState == "57014" ? .timeout : .server
        return PostgresError(code, message, sqlState: sqlState, constraint: field(Int32(UInt8(ascii: "n"))))
    }

    private func lostOrFailed() -> PostgresError {
        if PQstatus(handle) != CONNECTION_OK {
            return PostgresError(.connectionLost, "connection lost: \(libpqMessage)")
        }
        return PostgresError(.unexpectedResult, libpqMessage)
    }

    /// libpq's last message, one line (it never contains the password).
    var libpqMessage: String {
        String(cString: PQerrorMessage(handle)).split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// The socket, for readiness waits (LISTEN).
    var socket: Int32 { PQsocket(handle) }

    /// Reads what arrived on the socket and returns pending notifications; throws when the connection broke.
    func drainNotifications() throws -> [PostgresNotification] {
        guard PQconsumeInput(handle) == 1, PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError(.connectionLost, "connection lost: \(libpqMessage)")
        }
        var out: [PostgresNotification] = []
        while let notify = PQnotifies(handle) {
            out.append(PostgresNotification(
                channel: String(cString: notify.pointee.relname),
                payload: String(cString: notify.pointee.extra)
            ))
            PQfreemem(notify)
        }
        return out
    }
}

/// A `NOTIFY` received on a `LISTEN`ed channel.
public struct PostgresNotification: Sendable, Equatable {
    /// The channel name.
    public var channel: String
    /// The payload (may be empty).
    public var payload: String

    /// Creates a notification value.
    public init(channel: String, payload: String) {
        self.channel = channel
        self.payload = payload
    }
}

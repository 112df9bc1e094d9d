/// The rows a statement returned, copied out of libpq (text format).
public struct PostgresRows: Sendable {
    /// Column names in result order.
    public let columns: [String]
    /// The rows.
    public let rows: [PostgresRow]
    /// Rows affected, from the command tag (`UPDATE 3` → 3); 0 when the tag has no count.
    public let affectedRows: Int

    init(columns: [String], cells: [[String?]], affectedRows: Int) {
        self.columns = columns
        var index: [String: Int] = [:]
        for (i, name) in columns.enumerated() where index[name] == nil { index[name] = i }
        let shared = ColumnIndex(positions: index)
        self.rows = cells.map { PostgresRow(index: shared, cells: $0) }
        self.affectedRows = affectedRows
    }

    /// The only row, or `PostgresError(.unexpectedResult)` when there is none or several.
    public func single() throws -> PostgresRow {
        guard rows.count == 1 else {
            throw PostgresError(.unexpectedResult, "expected exactly one row, got \(rows.count)")
        }
        return rows[0]
    }

    /// The first row, if any.
    public var first: PostgresRow? { rows.first }
}

final class ColumnIndex: Sendable {
    let positions: [String: Int]
    init(positions: [String: Int]) { self.positions = positions }
}

/// One result row; cells are looked up by column name.
public struct PostgresRow: Sendable {
    let index: ColumnIndex
    let cells: [String?]

    /// Decodes a column into `T` (use an optional `T` for nullable columns).
    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard let position = index.positions[column] else {
            throw PostgresError(.decoding, "no column \(column) in the result")
        }
        return try T.decode(postgresText: cells[position], column: column)
    }

    /// Decodes the column at a position.
    public func decode<T: PostgresDecodable>(at position: Int, as type: T.Type = T.self) throws -> T {
        guard cells.indices.contains(position) else {
            throw PostgresError(.decoding, "no column at position \(position)")
        }
        return try T.decode(postgresText: cells[position], column: "#\(position)")
    }
}

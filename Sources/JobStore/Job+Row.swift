import Foundation
import Postgres

extension Job {
    /// The columns every query returning jobs selects.
    static let columnNames = [
        "id", "run_id", "run_attempt", "repository", "owner", "installation_id", "labels", "pool", "status",
        "conclusion", "runner_name", "dispatch_state", "attempts", "lease_owner", "lease_token", "lease_expires_at",
        "next_attempt_at", "last_error", "launched_runner", "received_at", "launched_at", "started_at",
        "completed_at", "updated_at", "traceparent",
    ]
    static let columns = columnNames.joined(separator: ", ")

    /// The columns qualified by a table alias (for `UPDATE … FROM … RETURNING`).
    static func columns(of alias: String) -> String {
        columnNames.map { "\(alias).\($0)" }.joined(separator: ", ")
    }

    /// Decodes a row selected with `columns`, by position (the hot path of claims and records).
    init(row: PostgresRow) throws {
        var cell = RowCursor(row: row)
        let id: Int64 = try cell.next(), runID: Int64 = try cell.next(), runAttempt: Int = try cell.next()
        let repository: String = try cell.next(), owner: String = try cell.next()
        let installationID: Int64? = try cell.next(), labels: [String] = try cell.next(), pool: String? = try cell.next()
        guard let status = GitHubStatus(rawValue: try cell.next()) else {
            throw PostgresError(.decoding, "unknown status in jobs row")
        }
        let conclusion: String? = try cell.next(), runnerName: String? = try cell.next()
        guard let state = DispatchState(rawValue: try cell.next()) else {
            throw PostgresError(.decoding, "unknown dispatch_state in jobs row")
        }
        let attempts: Int = try cell.next(), leaseOwner: String? = try cell.next(), leaseToken: Int64? = try cell.next()
        self.init(
            id: id, runID: runID, runAttempt: runAttempt, repository: repository, owner: owner,
            installationID: installationID, labels: labels, pool: pool, status: status, conclusion: conclusion,
            runnerName: runnerName, dispatchState: state, attempts: attempts,
            lease: leaseOwner.flatMap { owner in leaseToken.map { Lease(owner: owner, token: $0) } },
            leaseExpiresAt: try cell.next(), nextAttemptAt: try cell.next(), lastError: try cell.next(),
            launchedRunner: try cell.next(), receivedAt: try cell.next(), launchedAt: try cell.next(),
            startedAt: try cell.next(), completedAt: try cell.next(), updatedAt: try cell.next(),
            traceparent: try cell.next()
        )
    }
}

/// Reads a row's cells left to right.
struct RowCursor {
    let row: PostgresRow
    var position = 0

    mutating func next<T: PostgresDecodable>(as type: T.Type = T.self) throws -> T {
        defer { position += 1 }
        return try row.decode(at: position)
    }
}

extension Runner {
    static let columns = "name, pool, launched_for_job, ran_job, provider_id, state, launched_at, busy_at, finished_at, gone_at, updated_at"

    init(row: PostgresRow) throws {
        guard let state = RunnerState(rawValue: try row.decode("state")) else {
            throw PostgresError(.decoding, "unknown state in runners row")
        }
        self.init(
            name: try row.decode("name"),
            pool: try row.decode("pool"),
            launchedForJob: try row.decode("launched_for_job"),
            ranJob: try row.decode("ran_job"),
            providerID: try row.decode("provider_id"),
            state: state,
            launchedAt: try row.decode("launched_at"),
            busyAt: try row.decode("busy_at"),
            finishedAt: try row.decode("finished_at"),
            goneAt: try row.decode("gone_at"),
            updatedAt: try row.decode("updated_at")
        )
    }
}

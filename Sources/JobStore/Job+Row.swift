import Foundation
import Postgres

extension Job {
    /// The columns every query returning jobs selects.
    static let columnNames = [
        "id", "run_id", "run_attempt", "repository", "owner", "installation_id", "labels", "pool", "status",
        "conclusion", "runner_name", "dispatch_state", "attempts", "lease_owner", "lease_token", "lease_expires_at",
        "next_attempt_at", "last_error", "launched_runner", "received_at", "launched_at", "started_at",
        "completed_at", "updated_at",
    ]
    static let columns = columnNames.joined(separator: ", ")

    /// The columns qualified by a table alias (for `UPDATE … FROM … RETURNING`).
    static func columns(of alias: String) -> String {
        columnNames.map { "\(alias).\($0)" }.joined(separator: ", ")
    }

    init(row: PostgresRow) throws {
        guard let status = GitHubStatus(rawValue: try row.decode("status")),
              let state = DispatchState(rawValue: try row.decode("dispatch_state"))
        else { throw PostgresError(.decoding, "unknown status or dispatch_state in jobs row") }
        let leaseOwner: String? = try row.decode("lease_owner")
        let leaseToken: Int64? = try row.decode("lease_token")
        self.init(
            id: try row.decode("id"),
            runID: try row.decode("run_id"),
            runAttempt: try row.decode("run_attempt"),
            repository: try row.decode("repository"),
            owner: try row.decode("owner"),
            installationID: try row.decode("installation_id"),
            labels: try row.decode("labels"),
            pool: try row.decode("pool"),
            status: status,
            conclusion: try row.decode("conclusion"),
            runnerName: try row.decode("runner_name"),
            dispatchState: state,
            attempts: try row.decode("attempts"),
            lease: leaseOwner.flatMap { owner in leaseToken.map { Lease(owner: owner, token: $0) } },
            leaseExpiresAt: try row.decode("lease_expires_at"),
            nextAttemptAt: try row.decode("next_attempt_at"),
            lastError: try row.decode("last_error"),
            launchedRunner: try row.decode("launched_runner"),
            receivedAt: try row.decode("received_at"),
            launchedAt: try row.decode("launched_at"),
            startedAt: try row.decode("started_at"),
            completedAt: try row.decode("completed_at"),
            updatedAt: try row.decode("updated_at")
        )
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

import Foundation

/// The lifecycle of a runner Runway launched. Moves forward only.
public enum RunnerState: String, Sendable, Codable, CaseIterable, Comparable {
    /// Launched at the provider, no job seen yet (idle from GitHub's point of view).
    case launched
    /// GitHub reported it running a job (`in_progress`).
    case busy
    /// Its job completed; the runner must be torn down.
    case finished
    /// Torn down at the provider (confirmed by the Orchestrator).
    case gone

    /// Position in the forward-only order.
    public var rank: Int {
        switch self {
        case .launched: 0
        case .busy: 1
        case .finished: 2
        case .gone: 3
        }
    }

    /// Orders by `rank`.
    public static func < (lhs: RunnerState, rhs: RunnerState) -> Bool { lhs.rank < rhs.rank }
}

/// One row of the `runners` table.
public struct Runner: Sendable, Codable, Equatable {
    /// `runway-<pool>-<job id>-<attempt>`; the primary key.
    public var name: String
    /// The pool it belongs to.
    public var pool: String
    /// The job it was launched for.
    public var launchedForJob: Int64?
    /// The job GitHub says it actually ran (may differ: runners are interchangeable).
    public var ranJob: Int64?
    /// Provider id (EC2 instance id or pod name).
    public var providerID: String?
    /// Lifecycle state.
    public var state: RunnerState
    /// When it was launched.
    public var launchedAt: Date?
    /// When GitHub reported it busy.
    public var busyAt: Date?
    /// When its job completed.
    public var finishedAt: Date?
    /// When it was confirmed gone.
    public var goneAt: Date?
    /// Last change to the row.
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case name, pool, state
        case launchedForJob = "launched_for_job", ranJob = "ran_job", providerID = "provider_id"
        case launchedAt = "launched_at", busyAt = "busy_at", finishedAt = "finished_at", goneAt = "gone_at"
        case updatedAt = "updated_at"
    }
}

/// Runway's deterministic runner name, `runway-<pool>-<job id>-<attempt>` (DESIGN.md,
/// "Runners are interchangeable").
public struct RunnerName: Sendable, Hashable, CustomStringConvertible {
    /// The pool (may itself contain dashes).
    public var pool: String
    /// The job the runner was launched for.
    public var jobID: Int64
    /// The launch attempt (the job's `attempts` when it was launched).
    public var attempt: Int

    /// Creates a name from its parts.
    public init(pool: String, jobID: Int64, attempt: Int) {
        self.pool = pool
        self.jobID = jobID
        self.attempt = attempt
    }

    /// Parses a runner name; `nil` when it is not one of Runway's (GitHub-hosted or foreign runners).
    public init?(parsing name: String) {
        guard name.hasPrefix("runway-") else { return nil }
        let parts = name.dropFirst("runway-".count).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3,
              let attempt = Int(parts[parts.count - 1]), attempt >= 0,
              let job = Int64(parts[parts.count - 2]), job > 0
        else { return nil }
        let pool = parts.dropLast(2).joined(separator: "-")
        guard !pool.isEmpty else { return nil }
        self.init(pool: pool, jobID: job, attempt: attempt)
    }

    /// The name as used for tags, pod names and the GitHub registration.
    public var description: String { "runway-\(pool)-\(jobID)-\(attempt)" }
}

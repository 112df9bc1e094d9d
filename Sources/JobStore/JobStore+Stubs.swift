import Foundation
import Logging
import Postgres

// Temporary: bodies land in the next commits.
private let todo = JobStoreError(.closed, "not implemented yet")
final class RecordBatcher: Sendable { init(maxBatch: Int) {} }
struct Migration { var version: Int }
extension Migrator {
    static func loadMigrations() throws -> [Migration] { throw todo }
    static func migrateImpl(_ pool: PostgresPool, logger: Logger) async throws -> MigrationReport { throw todo }
    static func verifyImpl(_ pool: PostgresPool) async throws -> Int { throw todo }
}
extension JobStore {
    func recordImpl(_ event: WorkflowJobEvent) async throws -> RecordOutcome { throw todo }
    func recordIgnoredDeliveryImpl(deliveryID: String, event: String, action: String?, outcome: String) async throws -> Bool { throw todo }
    func deliveryRecordedImpl(_ deliveryID: String) async throws -> Bool { throw todo }
    func claimImpl(pool: String, limit: Int, leaseOwner: String, lease: Duration) async throws -> [Job] { throw todo }
    func markLaunchedImpl(jobID: Int64, lease: Lease, runnerName: String, providerID: String?) async throws -> Bool { throw todo }
    func releaseImpl(jobID: Int64, lease: Lease, retryAfter: Duration, error: String, permanent: Bool) async throws -> DispatchState? { throw todo }
    func markDoneImpl(jobID: Int64) async throws -> Bool { throw todo }
    func requeueImpl(jobID: Int64, reason: String) async throws -> Bool { throw todo }
    func rescueExpiredLeasesImpl() async throws -> Int { throw todo }
    func pendingCountImpl(pool: String) async throws -> Int { throw todo }
    func activeRunnerCountImpl(pool: String) async throws -> Int { throw todo }
    func poolCountsImpl() async throws -> [PoolCounts] { throw todo }
    func jobImpl(id: Int64) async throws -> Job? { throw todo }
    func jobsImpl(filter: JobFilter) async throws -> [Job] { throw todo }
    func upsertRunnerImpl(name: String, pool: String, launchedForJob: Int64?, providerID: String?, state: RunnerState) async throws { throw todo }
    func runnerImpl(name: String) async throws -> Runner? { throw todo }
    func runnersImpl(pool: String?, states: Set<RunnerState>?, limit: Int) async throws -> [Runner] { throw todo }
    func markRunnerGoneImpl(name: String) async throws -> Bool { throw todo }
    func pruneImpl(olderThan: Duration, batch: Int) async throws -> PruneReport { throw todo }
    func checkpointImpl(_ name: String) async throws -> String? { throw todo }
    func setCheckpointImpl(_ name: String, _ value: String) async throws { throw todo }
}

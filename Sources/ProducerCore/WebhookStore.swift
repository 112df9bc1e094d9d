import Foundation
import JobStore

/// What the Producer needs from the job store (a consumer-owned seam; `JobStore` conforms).
public protocol WebhookStore: Sendable {
    /// Records a `workflow_job` delivery durably before returning.
    func recordDelivery(_ event: StoreJobEvent) async throws -> RecordResult
    /// Records a delivery that carries no job; false when already recorded.
    func recordIgnoredDelivery(deliveryID: String, event: String, action: String?, outcome: String) async throws -> Bool
    /// Whether a delivery GUID was recorded.
    func deliveryRecorded(_ deliveryID: String) async throws -> Bool
    /// A named checkpoint.
    func checkpoint(_ name: String) async throws -> String?
    /// Sets a named checkpoint.
    func setCheckpoint(_ name: String, _ value: String) async throws
    /// Whether the database answers.
    func ping() async throws
}

/// What recording a delivery did, as far as the Producer's answer is concerned.
public enum RecordResult: Sendable, Equatable {
    /// New delivery; the job's state after the upsert (already durable).
    case recorded(jobID: Int64, status: String, dispatchState: String, pool: String?)
    /// The delivery GUID was recorded before; nothing changed.
    case duplicate(jobID: Int64)
}

extension JobStore: WebhookStore {
    public func recordDelivery(_ event: StoreJobEvent) async throws -> RecordResult {
        switch try await record(event) {
        case .recorded(let job):
            return .recorded(jobID: job.id, status: job.status.rawValue, dispatchState: job.dispatchState.rawValue, pool: job.pool)
        case .duplicateDelivery(let jobID):
            return .duplicate(jobID: jobID)
        }
    }
}

/// The store's event type (module `JobStore` also has a class `JobStore`, so it cannot be qualified).
public typealias StoreJobEvent = WorkflowJobEvent

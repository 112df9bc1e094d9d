import Foundation
import JobStore

/// What the Producer needs from the job store (a consumer-owned seam; `JobStore` conforms).
public protocol WebhookStore: Sendable {
    /// Records a `workflow_job` delivery durably before returning.
    func record(_ event: StoreJobEvent) async throws -> RecordOutcome
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

extension JobStore: WebhookStore {}

/// The store's event type (module `JobStore` also has a class `JobStore`, so it cannot be qualified).
public typealias StoreJobEvent = WorkflowJobEvent

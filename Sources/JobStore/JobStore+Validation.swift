import Foundation

/// Caps applied to every event before anything is written, so an absurd payload is refused
/// whole instead of stored half-way.
enum EventLimits {
    static let maxLabels = 64
    static let maxLabelLength = 256
    static let maxIdentifierLength = 256
    static let maxReasonLength = 1024
    /// Dates outside this range are refused (Postgres' text format and Runway's parser agree inside it).
    static let dateRange = Date(timeIntervalSince1970: 0)...Date(timeIntervalSince1970: 253_402_300_799)
}

extension WorkflowJobEvent {
    /// Throws `JobStoreError(.invalidEvent)` naming the first bad field; never echoes its value.
    func validate() throws(JobStoreError) {
        func fail(_ message: String) -> JobStoreError { JobStoreError(.invalidEvent, message) }
        func text(_ value: String?, _ field: String, required: Bool = true, max: Int = EventLimits.maxIdentifierLength) throws(JobStoreError) {
            guard let value else {
                if required { throw fail("\(field) is missing") }
                return
            }
            if required && value.isEmpty { throw fail("\(field) is empty") }
            if value.utf8.count > max { throw fail("\(field) is longer than \(max) bytes") }
            if value.utf8.contains(0) { throw fail("\(field) contains a NUL byte") }
        }
        try text(deliveryID, "delivery id", max: 128)
        try text(event, "event", max: 64)
        try text(action, "action", max: 64)
        guard jobID > 0 else { throw fail("workflow_job.id must be positive") }
        guard runID > 0 else { throw fail("workflow_job.run_id must be positive") }
        guard runAttempt > 0, runAttempt <= Int(Int32.max) else { throw fail("workflow_job.run_attempt is out of range") }
        try text(repository, "repository")
        guard repository.contains("/") else { throw fail("repository must be owner/name") }
        try text(owner, "owner")
        if let installationID, installationID <= 0 { throw fail("installation.id must be positive") }
        guard labels.count <= EventLimits.maxLabels else { throw fail("more than \(EventLimits.maxLabels) labels") }
        for label in labels { try text(label, "label", max: EventLimits.maxLabelLength) }
        try text(conclusion, "conclusion", required: false, max: 64)
        try text(runnerName, "runner_name", required: false)
        try text(pool, "pool", required: false, max: 128)
        if let pool, pool.isEmpty { throw fail("pool is empty") }
        try text(unroutableReason, "unroutable reason", required: false, max: EventLimits.maxReasonLength)
        if let traceparent, traceparent.utf8.count > 64 || !traceparent.utf8.allSatisfy(Self.isTraceparentByte) {
            throw fail("traceparent is longer than 64 bytes or not lowercase hex and dashes")
        }
        for date in [createdAt, startedAt, completedAt] {
            if let date, !EventLimits.dateRange.contains(date) { throw fail("a timestamp is out of range") }
        }
    }

    /// `0-9`, `a-f` and `-`: the alphabet of a `traceparent` header value.
    private static func isTraceparentByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66) || byte == 0x2D
    }
}

extension JobStore {
    func require(_ condition: Bool, _ message: String) throws(JobStoreError) {
        if !condition { throw JobStoreError(.invalidArgument, message) }
    }
}

import RunwayKit

/// The Producer's metrics, registered once.
public struct ProducerMetrics: Sendable {
    public let registry: MetricsRegistry
    /// Time from request to acknowledgement of a `workflow_job` delivery.
    let ackLatency: Histogram
    /// Time spent in the store's durable `record` (the commit).
    let commitLatency: Histogram
    let signatureFailures: Counter
    let notifyFailures: Counter
    let notifySent: Counter
    let unroutable: Counter
    let redeliveriesRequested: Counter
    let redeliveryFailures: Counter
    let sweeps: Counter

    public init(_ registry: MetricsRegistry) {
        self.registry = registry
        ackLatency = registry.histogram("runway_webhook_ack_seconds", help: "Time to acknowledge a workflow_job delivery.")
        commitLatency = registry.histogram("runway_webhook_commit_seconds", help: "Durable commit time of a delivery.")
        signatureFailures = registry.counter("runway_webhook_signature_failures_total", help: "Deliveries refused for a missing or wrong signature.")
        notifyFailures = registry.counter("runway_publisher_notify_failures_total", help: "Publisher wake-ups that failed (its timer covers them).")
        notifySent = registry.counter("runway_publisher_notify_sent_total", help: "Publisher wake-ups sent.")
        unroutable = registry.counter("runway_jobs_unroutable_total", help: "Jobs no pool serves (stored as unroutable).")
        redeliveriesRequested = registry.counter("runway_redeliveries_requested_total", help: "Failed deliveries GitHub was asked to redeliver.")
        redeliveryFailures = registry.counter("runway_redelivery_sweep_failures_total", help: "Redelivery sweeps or requests that failed.")
        sweeps = registry.counter("runway_redelivery_sweeps_total", help: "Redelivery sweeps run.")
    }

    /// Counts one delivery by event and outcome (`recorded`, `duplicate`, `ignored`, `invalid`, `unavailable`, …).
    func delivery(event: String, outcome: String) {
        let event = ["workflow_job", "ping"].contains(event) ? event : "other"
        registry.counter("runway_webhook_deliveries_total", help: "Webhook deliveries by event and outcome.",
                         labels: ["event": event, "outcome": outcome]).inc()
    }
}

import RunwayKit

/// The Publisher's metrics, registered in the service's `MetricsRegistry`.
public struct PublisherMetrics: Sendable {
    /// The registry the series live in (served at `/metrics`).
    public let registry: MetricsRegistry

    /// Creates the metrics over a registry.
    public init(registry: MetricsRegistry = MetricsRegistry()) {
        self.registry = registry
    }

    /// Jobs per pool and dispatch state (`pending`, `active`).
    public func queueDepth(pool: String, state: String, _ value: Int) {
        registry.gauge("runway_publisher_queue_depth", help: "Jobs per pool and dispatch state", labels: ["pool": pool, "state": state])
            .set(Double(value))
    }

    /// Time from the Producer receiving a job to the Publisher claiming it.
    public func queuedToClaimed(pool: String, seconds: Double) {
        registry.histogram("runway_publisher_queued_to_claimed_seconds", help: "Job receive to claim", labels: ["pool": pool])
            .observe(max(0, seconds))
    }

    /// Time from claim to the Orchestrator confirming the launch.
    public func claimedToLaunched(pool: String, seconds: Double) {
        registry.histogram("runway_publisher_claimed_to_launched_seconds", help: "Claim to confirmed launch", labels: ["pool": pool])
            .observe(max(0, seconds))
    }

    /// One launch attempt's result (`launched`, `retry`, `deferred`, `failed`, `lease_lost`) with a bounded reason kind.
    public func launch(pool: String, result: String, reason: String) {
        registry.counter(
            "runway_publisher_launches_total", help: "Launch attempts by result and reason",
            labels: ["pool": pool, "result": result, "reason": Self.reasonKind(reason)]
        ).inc()
    }

    /// One reconciler action (`lease_rescued`, `requeued_other_job`, `teardown_idle`, …).
    public func reconcilerAction(kind: String, pool: String, count: Int = 1) {
        guard count > 0 else { return }
        registry.counter(
            "runway_publisher_reconciler_actions_total", help: "Reconciler actions by kind", labels: ["kind": kind, "pool": pool]
        ).inc(by: Double(count))
    }

    /// Tear-downs by result (`confirmed`, `retry`).
    public func teardown(pool: String, result: String) {
        registry.counter("runway_publisher_teardowns_total", help: "Runner tear-downs by result", labels: ["pool": pool, "result": result])
            .inc()
    }

    /// A job found without a usable pool and marked `unroutable`.
    public func unroutable() {
        registry.counter("runway_publisher_unroutable_jobs_total", help: "Jobs marked unroutable by the Publisher").inc()
    }

    /// A store call that failed (`claim`, `mark_launched`, `release`, …).
    public func storeError(operation: String) {
        registry.counter("runway_publisher_store_errors_total", help: "Failed job store calls", labels: ["operation": operation]).inc()
    }

    /// Bounded label values for free-text reasons.
    static func reasonKind(_ reason: String) -> String {
        if reason.isEmpty { return "none" }
        if reason.hasPrefix("orchestrator unreachable") { return "unreachable" }
        if reason.contains("invalid body") { return "invalid_response" }
        if reason.contains("internal token") { return "unauthorized" }
        let parts = reason.split(separator: " ")
        if parts.count >= 2, parts[0] == "orchestrator", let status = Int(parts[1]) { return "http_\(status)" }
        if reason.hasPrefix("lease lost") { return "lease_lost" }
        return "other"
    }
}

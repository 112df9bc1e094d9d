import Foundation
import GitHub
import Logging
import Synchronization

/// What the sweep needs from GitHub (a consumer-owned seam; `GitHubApp` conforms).
public protocol HookDeliverySource: Sendable {
    /// Every delivery at or after `since`, newest first.
    func hookDeliveries(since: Date, maxPages: Int) async throws -> [HookDelivery]
    /// Asks GitHub to deliver `id` again.
    func redeliverHookDelivery(id: Int64) async throws
}

extension GitHubApp: HookDeliverySource {}

/// Missed-delivery recovery: GitHub never retries a failed delivery by itself, so every few
/// minutes the sweep lists the App's recent deliveries and asks for a redelivery of each failed
/// `workflow_job` delivery that Runway has not recorded (a later attempt may have succeeded).
///
/// The checkpoint (`redelivery_sweep` in the store) is the newest delivery time fully handled;
/// a sweep looks back from it with an overlap, bounded to GitHub's 3-day redelivery window.
public struct RedeliverySweep: Sendable {
    /// How often to sweep (default 5 min).
    public var interval: Duration = .seconds(300)
    /// Redelivery requests per sweep at most (default 50).
    public var maxPerSweep: Int = 50
    /// Pages of deliveries read per sweep at most (default 10, 100 deliveries each).
    public var maxPages: Int = 10
    /// Look-back before the checkpoint, for deliveries still in flight when it was taken (default 2 min).
    public var overlap: Duration = .seconds(120)
    /// GitHub keeps deliveries redeliverable this long (3 days on github.com).
    public var window: Duration = .seconds(3 * 86400)
    /// A GUID redelivered less than this long ago is not asked for again: the redelivery may still
    /// be on its way (default 10 min).
    public var cooldown: Duration = .seconds(600)

    let source: any HookDeliverySource
    let store: any WebhookStore
    let metrics: ProducerMetrics
    let logger: Logger
    let now: @Sendable () -> Date
    private let ledger = RequestLedger()

    static let checkpointName = "redelivery_sweep"

    public init(source: any HookDeliverySource, store: any WebhookStore, metrics: ProducerMetrics, logger: Logger,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.source = source
        self.store = store
        self.metrics = metrics
        self.logger = logger
        self.now = now
    }

    /// Sweeps every `interval` until cancelled.
    public func run() async {
        while !Task.isCancelled {
            _ = await sweepOnce()
            try? await Task.sleep(for: interval)
        }
    }

    /// One sweep; returns the delivery ids GitHub was asked to redeliver.
    @discardableResult
    public func sweepOnce() async -> [Int64] {
        metrics.sweeps.inc()
        let current = now()
        do {
            let floor = current.addingTimeInterval(-window.seconds)
            var since = floor
            if let text = try await store.checkpoint(Self.checkpointName), let seconds = Double(text) {
                since = max(floor, Date(timeIntervalSince1970: seconds).addingTimeInterval(-overlap.seconds))
            }
            let deliveries = try await source.hookDeliveries(since: since, maxPages: maxPages)
            // A GUID counts as delivered if any attempt of it succeeded.
            let succeeded = Set(deliveries.filter(\.succeeded).map(\.guid))
            var requested: [Int64] = []
            var seen = Set<String>()
            var complete = true
            for delivery in deliveries where delivery.event == "workflow_job" && !delivery.succeeded {
                guard !succeeded.contains(delivery.guid), seen.insert(delivery.guid).inserted else { continue }
                if try await store.deliveryRecorded(delivery.guid) { continue }
                if ledger.recentlyRequested(delivery.guid, now: current, cooldown: cooldown) {
                    complete = false
                    continue
                }
                guard requested.count < maxPerSweep else {
                    complete = false
                    break
                }
                do {
                    try await source.redeliverHookDelivery(id: delivery.id)
                    ledger.record(delivery.guid, at: current)
                    requested.append(delivery.id)
                    metrics.redeliveriesRequested.inc()
                    logger.info("redelivery requested", metadata: ["github.delivery": "\(delivery.guid)", "github.action": "\(delivery.action ?? "-")"])
                } catch {
                    metrics.redeliveryFailures.inc()
                    logger.warning("redelivery request failed", metadata: ["github.delivery": "\(delivery.guid)", "error": "\(error)"])
                    complete = false
                }
            }
            // Advance only when everything seen was handled; otherwise the next sweep looks again.
            if complete, let newest = deliveries.map(\.deliveredAt).max() {
                try await store.setCheckpoint(Self.checkpointName, String(newest.timeIntervalSince1970))
            }
            return requested
        } catch {
            metrics.redeliveryFailures.inc()
            logger.warning("redelivery sweep failed", metadata: ["error": "\(error)"])
            return []
        }
    }
}

/// GUIDs the sweep asked GitHub to redeliver, and when (pruned after the cooldown).
final class RequestLedger: Sendable {
    private let entries = Mutex<[String: Date]>([:])

    func recentlyRequested(_ guid: String, now: Date, cooldown: Duration) -> Bool {
        entries.withLock { entries in
            entries = entries.filter { now.timeIntervalSince($0.value) < cooldown.seconds }
            return entries[guid] != nil
        }
    }

    func record(_ guid: String, at date: Date) {
        entries.withLock { $0[guid] = date }
    }
}

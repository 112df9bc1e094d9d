import Foundation
import GitHub
import Logging
import ProducerCore
import RunwayKit
import Synchronization
import Testing

/// Serves a fixed list of deliveries and records redelivery requests.
final class FakeDeliveries: HookDeliverySource {
    let deliveries: [HookDelivery]
    let requested = Mutex<[Int64]>([])
    let sinceAsked = Mutex<[Date]>([])
    let failIDs: Set<Int64>

    init(_ deliveries: [HookDelivery], failIDs: Set<Int64> = []) {
        self.deliveries = deliveries
        self.failIDs = failIDs
    }

    func hookDeliveries(since: Date, maxPages: Int) async throws -> [HookDelivery] {
        sinceAsked.withLock { $0.append(since) }
        return deliveries.filter { $0.deliveredAt >= since }.sorted { $0.deliveredAt > $1.deliveredAt }
    }

    func redeliverHookDelivery(id: Int64) async throws {
        if failIDs.contains(id) { throw GitHubError(code: .server, status: 502, message: "bad gateway") }
        requested.withLock { $0.append(id) }
    }
}

@Suite struct RedeliverySweepTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func delivery(_ id: Int64, guid: String, status: Int, event: String = "workflow_job", ago: Double) throws -> HookDelivery {
        let json = """
            {"id": \(id), "guid": "\(guid)", "delivered_at": "\(ISO8601DateFormatter().string(from: now.addingTimeInterval(-ago)))",
             "redelivery": false, "duration": 0.1, "status": "x", "status_code": \(status), "event": "\(event)", "action": "queued",
             "installation_id": 1, "repository_id": 2}
            """
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(HookDelivery.self, from: Data(json.utf8))
    }

    @Test func redeliversOnlyFailedUnrecordedWorkflowJobDeliveriesOnce() async throws {
        let store = FakeStore()
        _ = try await store.recordIgnoredDelivery(deliveryID: "g-recorded", event: "workflow_job", action: "queued", outcome: "x")
        let source = FakeDeliveries([
            try Self.delivery(1, guid: "g-ok", status: 202, ago: 60),
            try Self.delivery(2, guid: "g-failed", status: 503, ago: 50),
            try Self.delivery(3, guid: "g-failed", status: 0, ago: 40),          // second failed attempt of the same GUID
            try Self.delivery(4, guid: "g-recorded", status: 500, ago: 30),      // failed at GitHub's end, but we have it
            try Self.delivery(5, guid: "g-push", status: 500, event: "push", ago: 20),
            try Self.delivery(6, guid: "g-later-ok", status: 500, ago: 15),
            try Self.delivery(7, guid: "g-later-ok", status: 202, ago: 10),      // a later attempt succeeded
            try Self.delivery(8, guid: "g-old", status: 500, ago: 4 * 86400),    // outside GitHub's 3-day window
        ])
        let sweep = RedeliverySweep(source: source, store: store, metrics: ProducerMetrics(MetricsRegistry()),
                                    logger: Logger(label: "test"), now: { Self.now })
        let requested = await sweep.sweepOnce()
        #expect(requested == [3])
        #expect(source.requested.withLock { $0 } == [3])
        // The checkpoint advanced to the newest delivery; the next sweep starts there minus the overlap.
        _ = await sweep.sweepOnce()
        let since = source.sinceAsked.withLock { $0 }
        #expect(since.count == 2)
        #expect(abs(since[1].timeIntervalSince(Self.now.addingTimeInterval(-10 - 120))) < 1)
    }

    @Test func checkpointStaysWhenARedeliveryFails() async throws {
        let store = FakeStore()
        let source = FakeDeliveries([try Self.delivery(1, guid: "g1", status: 500, ago: 100)], failIDs: [1])
        let sweep = RedeliverySweep(source: source, store: store, metrics: ProducerMetrics(MetricsRegistry()),
                                    logger: Logger(label: "test"), now: { Self.now })
        #expect(await sweep.sweepOnce().isEmpty)
        #expect(try await store.checkpoint("redelivery_sweep") == nil)
    }

    @Test func boundedPerSweep() async throws {
        let store = FakeStore()
        let source = FakeDeliveries(try (1...10).map { try Self.delivery(Int64($0), guid: "g\($0)", status: 500, ago: Double($0)) })
        var sweep = RedeliverySweep(source: source, store: store, metrics: ProducerMetrics(MetricsRegistry()),
                                    logger: Logger(label: "test"), now: { Self.now })
        sweep.maxPerSweep = 3
        #expect(await sweep.sweepOnce().count == 3)
        #expect(try await store.checkpoint("redelivery_sweep") == nil)
    }
}

@Suite struct RedeliveryCooldownTests {
    @Test func aGUIDIsNotAskedForAgainWithinTheCooldown() async throws {
        let store = FakeStore()
        let source = FakeDeliveries([try RedeliverySweepTests.delivery(1, guid: "g1", status: 500, ago: 10)])
        let sweep = RedeliverySweep(source: source, store: store, metrics: ProducerMetrics(MetricsRegistry()),
                                    logger: Logger(label: "test"), now: { RedeliverySweepTests.now })
        #expect(await sweep.sweepOnce() == [1])
        // The redelivery has not arrived yet: the next sweep waits instead of asking again.
        #expect(await sweep.sweepOnce().isEmpty)
        #expect(source.requested.withLock { $0 } == [1])
    }
}

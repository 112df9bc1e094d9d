import Foundation
import HTTP
import Logging
import RunwayKit
import Testing
@testable import PublisherCore

/// Polls `condition` until it holds or `seconds` pass.
func eventually(_ seconds: Double = 5, _ condition: () async -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return await condition()
}

private func fastPool(_ name: String, maxRunners: Int = 10_000) -> PoolLimits {
    PoolLimits(name: name, orchestratorURL: "http://\(name)", maxRunners: maxRunners, launchRate: 10_000, launchBurst: 10_000, maxAttempts: 3)
}

private func settings(poll: Duration = .milliseconds(100)) -> Dispatcher.Settings {
    Dispatcher.Settings(
        leaseOwner: "test", lease: .seconds(60), pollInterval: poll, backoff: Backoff(base: .seconds(10), cap: .seconds(10)),
        scheduler: .init(batchSize: 10, jitRate: 10_000, jitBurst: 10_000))
}

@Suite struct DispatcherTests {
    let logger = quietLogger()

    @Test func drainsEveryPoolFIFOLaunchingEachJobOnce() async {
        let clock = ManualClock()
        let store = FakeStore(clock: clock)
        let orchestrator = FakeOrchestrator(clock: clock)
        // Received in an order unrelated to the ids.
        for id in Int64(1)...100 { store.add(id, pool: id % 2 == 0 ? "a" : "b", receivedOffset: -Double((id * 37) % 101)) }
        let dispatcher = Dispatcher(pools: [fastPool("a"), fastPool("b")], store: store, orchestrator: orchestrator, settings: settings(), logger: logger)
        let run = Task { await dispatcher.run() }
        defer { run.cancel() }
        #expect(await eventually { orchestrator.launchedNames.count == 100 })
        let launched = orchestrator.launchedNames
        #expect(Set(launched).count == 100)
        for id in Int64(1)...100 { #expect(store.job(id)?.state == "launched" && store.job(id)?.launches == 1) }
        let order = store.state.withLock { $0.claimedOrder }
        for pool in ["a", "b"] {
            let received = (order[pool] ?? []).map { store.job($0)!.receivedAt }
            #expect(received == received.sorted(), "pool \(pool) claimed out of FIFO order")
        }
    }

    @Test func eachLaunchContinuesTheTraceOfItsWebhook() async {
        let clock = ManualClock()
        let store = FakeStore(clock: clock)
        let orchestrator = FakeOrchestrator(clock: clock)
        let webhook = TraceContext.newRoot()
        store.add(1, pool: "a", traceparent: webhook.traceparent)
        store.add(2, pool: "a")
        store.add(3, pool: "a", traceparent: "not-a-traceparent")
        let dispatcher = Dispatcher(pools: [fastPool("a")], store: store, orchestrator: orchestrator, settings: settings(), logger: logger)
        let run = Task { await dispatcher.run() }
        defer { run.cancel() }
        #expect(await eventually { orchestrator.state.withLock { $0.traces.count } == 3 })
        let traces = orchestrator.state.withLock { $0.traces }
        #expect(traces[1]?.traceID == webhook.traceID, "same trace as the webhook")
        #expect(traces[1]?.spanID != webhook.spanID, "the dispatch is a new span of it")
        for id: Int64 in [2, 3] {
            #expect(traces[id] != nil && traces[id]?.traceID != webhook.traceID, "no usable traceparent: a new trace")
        }
        #expect(traces[2]?.traceID != traces[3]?.traceID)
    }

    @Test func aFailingPoolDoesNotBlockTheOthers() async {
        let clock = ManualClock()
        let store = FakeStore(clock: clock)
        let orchestrator = FakeOrchestrator(clock: clock)
        orchestrator.state.withLock { $0.failPools = ["bad"] }
        for id in Int64(1)...40 { store.add(id, pool: id <= 20 ? "bad" : "good") }
        let dispatcher = Dispatcher(pools: [fastPool("bad"), fastPool("good")], store: store, orchestrator: orchestrator, settings: settings(), logger: logger)
        let run = Task { await dispatcher.run() }
        defer { run.cancel() }
        #expect(await eventually { (21...40).allSatisfy { store.job(Int64($0))?.state == "launched" } })
        // Batches of 10 with a pause after each fully failed batch: every job tried once, none launched.
        #expect(await eventually { (1...20).allSatisfy { store.job(Int64($0))?.attempts == 1 && store.job(Int64($0))?.state == "pending" } })
        for id in Int64(1)...20 {
            let job = store.job(id)
            #expect(job?.attempts == 1)
            #expect(job?.lastError?.contains("503") == true)
            // Backoff of 5–10 s from the fake store's clock.
            let wait = job?.nextAttemptAt.map { $0.timeIntervalSince(clock.now) } ?? 0
            #expect(wait >= 5 && wait <= 10)
        }
    }

    @Test func aSlowPoolDoesNotStallTheOthers() async {
        let clock = ManualClock()
        let store = FakeStore(clock: clock)
        let orchestrator = FakeOrchestrator(clock: clock)
        orchestrator.state.withLock { $0.delay["slow"] = .seconds(3) }
        for id in Int64(1)...40 { store.add(id, pool: id <= 5 ? "slow" : "fast") }
        let dispatcher = Dispatcher(pools: [fastPool("slow"), fastPool("fast")], store: store, orchestrator: orchestrator, settings: settings(), logger: logger)
        let run = Task { await dispatcher.run() }
        defer { run.cancel() }
        let started = Date()
        #expect(await eventually { (6...40).allSatisfy { store.job(Int64($0))?.state == "launched" } })
        #expect(Date().timeIntervalSince(started) < 2)
        #expect((1...5).allSatisfy { store.job(Int64($0))?.state == "dispatching" })
    }

    @Test func permanentFailuresAndExhaustedRetriesEndFailedWithTheReason() async {
        let clock = ManualClock()
        let store = FakeStore(clock: clock)
        let orchestrator = FakeOrchestrator(clock: clock)
        orchestrator.state.withLock { $0.permanentFail = [1]; $0.failPools = ["b"] }
        store.add(1, pool: "a")
        store.add(2, pool: "b")
        let dispatcher = Dispatcher(pools: [fastPool("a"), fastPool("b")], store: store, orchestrator: orchestrator, settings: settings(), logger: logger)
        let run = Task { await dispatcher.run() }
        defer { run.cancel() }
        #expect(await eventually { store.job(1)?.state == "failed" })
        #expect(store.job(1)?.attempts == 1)
        #expect(store.job(1)?.lastError?.contains("422") == true)
        // Job 2 is retried each time its backoff passes, and fails at max_attempts (3).
        for attempt in 1...3 {
            #expect(await eventually { store.job(2)?.attempts == attempt })
            clock.advance(60)
            await dispatcher.notify()
        }
        #expect(await eventually { store.job(2)?.state == "failed" })
        #expect(orchestrator.launchedNames.isEmpty)
    }

    @Test func deferralsWaitForCapacityWithoutSpendingAttempts() async {
        let clock = ManualClock()
        let store = FakeStore(clock: clock)
        let orchestrator = FakeOrchestrator(clock: clock)
        orchestrator.state.withLock { $0.deferPools = ["a"] }
        store.add(1, pool: "a")
        // The scheduler runs on the test's clock too: its failure pause (doubling per deferred grant)
        // passes as the clock moves.
        let dispatcher = Dispatcher(
            pools: [fastPool("a")], store: store, orchestrator: orchestrator, settings: settings(), logger: logger, now: clock.closure)
        let run = Task { await dispatcher.run() }
        defer { run.cancel() }
        // Five deferrals, more than max_attempts (3): the job keeps waiting, attempts untouched.
        // Each poll moves the clock a second and wakes the loop, so the Retry-After and the
        // scheduler's failure pause both pass however the loop and the test interleave.
        for round in 1...5 {
            #expect(await eventually {
                clock.advance(1)
                await dispatcher.notify()
                return store.calls.contains("release 1 false") && store.job(1)?.state == "pending"
            }, "deferral \(round)")
            let wait = store.job(1)?.nextAttemptAt.map { $0.timeIntervalSince(clock.now) } ?? 0
            #expect(wait >= 28, "the Orchestrator's Retry-After (30 s) is honoured")
            store.state.withLock { $0.calls.removeAll() }
        }
        #expect(store.job(1)?.attempts == 0)
        #expect(store.job(1)?.lastError?.contains("no capacity") == true)
        // Capacity returns: launched.
        orchestrator.state.withLock { $0.deferPools = [] }
        #expect(await eventually {
            clock.advance(1)
            await dispatcher.notify()
            return store.job(1)?.state == "launched"
        })
    }

    @Test func maxRunnersHoldsAcrossPasses() async {
        let clock = ManualClock()
        let store = FakeStore(clock: clock)
        let orchestrator = FakeOrchestrator(clock: clock)
        for id in Int64(1)...30 { store.add(id, pool: "a") }
        let dispatcher = Dispatcher(pools: [fastPool("a", maxRunners: 7)], store: store, orchestrator: orchestrator, settings: settings(), logger: logger)
        let run = Task { await dispatcher.run() }
        defer { run.cancel() }
        #expect(await eventually { orchestrator.launchedNames.count == 7 })
        try? await Task.sleep(for: .milliseconds(300))
        #expect(orchestrator.launchedNames.count == 7)
        // Three runners finish: three more launches.
        store.state.withLock { s in for id in Int64(1)...3 { s.jobs[id]?.state = "done" } }
        #expect(await eventually { orchestrator.launchedNames.count == 10 })
        try? await Task.sleep(for: .milliseconds(300))
        #expect(orchestrator.launchedNames.count == 10)
    }

    @Test func metricsCountLaunchesByResultAndReason() async {
        let clock = ManualClock()
        let store = FakeStore(clock: clock)
        let orchestrator = FakeOrchestrator(clock: clock)
        orchestrator.state.withLock { $0.failPools = ["b"]; $0.permanentFail = [3] }
        store.add(1, pool: "a")
        store.add(2, pool: "b")
        store.add(3, pool: "a")
        let metrics = PublisherMetrics()
        let dispatcher = Dispatcher(
            pools: [fastPool("a"), fastPool("b")], store: store, orchestrator: orchestrator, settings: settings(), metrics: metrics, logger: logger)
        let run = Task { await dispatcher.run() }
        defer { run.cancel() }
        #expect(await eventually { store.job(1)?.state == "launched" && store.job(2)?.attempts == 1 && store.job(3)?.state == "failed" })
        let text = metrics.registry.render()
        #expect(text.contains(#"runway_publisher_launches_total{pool="a",reason="none",result="launched"} 1"#))
        #expect(text.contains(#"runway_publisher_launches_total{pool="b",reason="http_503",result="retry"} 1"#))
        #expect(text.contains(#"runway_publisher_launches_total{pool="a",reason="http_422",result="failed"} 1"#))
        #expect(text.contains(#"runway_publisher_queued_to_claimed_seconds_count{pool="a"} 2"#))
        #expect(text.contains(#"runway_publisher_claimed_to_launched_seconds_count{pool="a"} 1"#))
        #expect(text.contains(#"runway_publisher_queue_depth{pool="a",state="pending"}"#))
    }

    @Test func aNotifyWakesTheLoopBeforeTheTimer() async {
        let clock = ManualClock()
        let store = FakeStore(clock: clock)
        let orchestrator = FakeOrchestrator(clock: clock)
        let dispatcher = Dispatcher(pools: [fastPool("a")], store: store, orchestrator: orchestrator, settings: settings(poll: .seconds(30)), logger: logger)
        let run = Task { await dispatcher.run() }
        defer { run.cancel() }
        try? await Task.sleep(for: .milliseconds(200))
        store.add(1, pool: "a")
        let poked = Date()
        await dispatcher.notify()
        #expect(await eventually(2) { orchestrator.launchedNames.count == 1 })
        #expect(Date().timeIntervalSince(poked) < 1)
    }
}

@Suite struct WakeSignalTests {
    @Test func aBurstOfSignalsCausesOneEarlyWakeUp() async {
        let signal = WakeSignal()
        for _ in 0..<100 { await signal.signal() }
        let first = ContinuousClock.now
        await signal.wait(timeout: .seconds(10))
        #expect(ContinuousClock.now - first < .seconds(1))
        let second = ContinuousClock.now
        await signal.wait(timeout: .milliseconds(150))
        #expect(ContinuousClock.now - second >= .milliseconds(150))
    }

    @Test func aSignalWakesAWaiter() async {
        let signal = WakeSignal()
        let started = ContinuousClock.now
        async let waited: Void = signal.wait(timeout: .seconds(10))
        try? await Task.sleep(for: .milliseconds(50))
        await signal.signal()
        await waited
        #expect(ContinuousClock.now - started < .seconds(2))
    }
}

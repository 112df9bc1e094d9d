import RunwayTestSupport
import Foundation
import JobStore
import Postgres
import Testing

actor Ledger {
    private var nextID: Int64 = 1
    private(set) var acknowledged: [Int64] = []
    private(set) var retryableFailures = 0
    private(set) var otherFailures: [String] = []
    private(set) var acknowledgedAfterRestart = 0
    var restarted = false

    func take() -> Int64 { defer { nextID += 1 }; return nextID }
    func ack(_ id: Int64) {
        acknowledged.append(id)
        if restarted { acknowledgedAfterRestart += 1 }
    }
    func fail(_ error: any Error) {
        if let pg = error as? PostgresError, pg.isRetryable { retryableFailures += 1 } else { otherFailures.append("\(error)") }
    }
    func markRestarted() { restarted = true }
}

@Suite("JobStore across a Postgres restart")
struct RestartTests {
    @Test("pg_ctl restart mid-run: in-flight work fails retryably, the pool heals, no acknowledged write is lost")
    func restartMidRun() async throws {
        let server = try await PrivatePostgres.start()
        do {
            try await exercise(server)
            await server.stop()
        } catch {
            await server.stop()
            throw error
        }
    }

    private func exercise(_ server: PrivatePostgres) async throws {
        let pool = PostgresPool(configuration: .init(connectionString: server.url, poolSize: 4), logger: TestDatabase.logger)
        defer { pool.shutdown() }
        _ = try await Migrator.migrate(pool, logger: TestDatabase.logger)
        let store = JobStore(pool: pool, logger: TestDatabase.logger)
        let ledger = Ledger()
        let deadline = ContinuousClock.now + .seconds(3)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    while ContinuousClock.now < deadline {
                        let id = await ledger.take()
                        do {
                            _ = try await store.record(event(job: id, .queued))
                            await ledger.ack(id)
                        } catch {
                            await ledger.fail(error)
                            try await Task.sleep(for: .milliseconds(20))
                        }
                    }
                }
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(800))
                try await server.restart()
                await ledger.markRestarted()
            }
            try await group.waitForAll()
        }
        let acknowledged = await ledger.acknowledged
        #expect(await ledger.otherFailures == [])
        #expect(await ledger.retryableFailures > 0, "the restart should have interrupted some work")
        #expect(await ledger.acknowledgedAfterRestart > 0, "work should resume after the restart")
        let stored: Int = try await pool.query("SELECT count(*) AS n FROM jobs WHERE id = ANY($1::bigint[])",
                                                [.text("{\(acknowledged.map(String.init).joined(separator: ","))}")]).single().decode("n")
        #expect(stored == acknowledged.count)
        let claimed = try await store.claim(pool: "ec2-ubuntu", limit: 10, leaseOwner: "after-restart", lease: .seconds(30))
        #expect(claimed.count == 10)
        print("restart: \(acknowledged.count) acknowledged, \(await ledger.retryableFailures) retryable failures")
    }
}

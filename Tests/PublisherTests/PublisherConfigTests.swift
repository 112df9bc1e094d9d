import Foundation
import RunwayKit
import Testing
@testable import PublisherCore

@Suite struct PublisherConfigTests {
    static let pools = """
        pools:
          - name: ec2-ubuntu
            host: ec2
            os: ubuntu
            labels: [linux, ec2]
            orchestrator_url: http://orchestrator:8080
            max_runners: 7
            launch_rate: 3
            ec2: {image_id: ami-1, instance_types: [c7i.large], subnet_ids: [subnet-a], security_group_ids: [sg-1]}
        """

    func withPoolsFile<T>(_ body: (String) throws -> T) throws -> T {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pools-\(UUID().uuidString).yaml").path
        try Self.pools.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try body(path)
    }

    @Test func defaultsFollowTheDocumentation() throws {
        let config = try withPoolsFile { path in
            try PublisherConfig.load(environment: [
                "DATABASE_URL": "postgresql://db/runway", "RUNWAY_POOLS": path, "RUNWAY_INTERNAL_TOKEN": "0123456789abcdef0123",
            ])
        }
        #expect(config.dispatch.pollInterval == .seconds(2))
        #expect(config.dispatch.lease == .seconds(60))
        #expect(config.dispatch.scheduler.batchSize == 20)
        #expect(config.dispatch.scheduler.jitRate == 2.7, "the Orchestrator's own JIT pacing, so bursts wait here")
        #expect(config.dispatch.scheduler.globalMaxRunners == nil)
        #expect(config.reconcile.interval == .seconds(15))
        #expect(config.reconcile.planner.orphanGrace == .seconds(300))
        #expect(config.orchestratorTimeout == .seconds(30))
        #expect(!config.migrate)
        let pool = try #require(config.pools.pools.first.map(PoolLimits.init(pool:)))
        #expect(pool.maxRunners == 7 && pool.launchRate == 3 && pool.idleTimeout == .seconds(600) && pool.launchTimeout == .seconds(900))
        #expect(config.effective["DATABASE_URL"] == "<redacted>")
    }

    @Test func everyProblemIsListedAtOnce() throws {
        let problems = try withPoolsFile { path -> [String] in
            do {
                _ = try PublisherConfig.load(environment: [
                    "RUNWAY_POOLS": path, "PUBLISHER_LEASE": "10s", "PUBLISHER_CLAIM_BATCH": "0", "PUBLISHER_POLL_INTERVAL": "soon",
                ])
                return []
            } catch {
                return (error as? ConfigError)?.problems ?? ["\(error)"]
            }
        }
        #expect(problems.contains { $0.contains("DATABASE_URL") })
        #expect(problems.contains { $0.contains("RUNWAY_INTERNAL_TOKEN") })
        #expect(problems.contains { $0.contains("PUBLISHER_LEASE must exceed") })
        #expect(problems.contains { $0.contains("PUBLISHER_CLAIM_BATCH") })
        #expect(problems.contains { $0.contains("PUBLISHER_POLL_INTERVAL") })
    }
}

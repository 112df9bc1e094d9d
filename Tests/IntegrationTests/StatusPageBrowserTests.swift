import Foundation
import JobStore
import Logging
import Postgres
import Synchronization
import Testing

/// The Publisher's status page (`GET /`) loaded by a real headless Chromium: the rendered DOM
/// shows the seeded pools, jobs and failures, and a screenshot is a real PNG.
@Suite(.serialized) struct StatusPageBrowserTests {
    static let hostileRepository = "octo-org/<script>alert(1)</script>"
    static let failureReason = "HTTP 422: the image ami-0bad does not exist"

    /// Pool `ec2-ubuntu` is full (2 busy runners, max 2) with 3 jobs pending, so the Publisher
    /// launches nothing while the test looks (its Orchestrator URL is a dead port anyway);
    /// `ec2-windows` ran 24 jobs over the last hour (the chart) and has one failed job whose
    /// repository name is HTML.
    static func seed(databaseURL: String) async throws {
        let pool = PostgresPool(configuration: PostgresConfiguration(connectionString: databaseURL, poolSize: 2), logger: Logger(label: "seed"))
        defer { pool.shutdown() }
        _ = try await Migrator.migrate(pool, logger: Logger(label: "seed"))
        let clock = Mutex(Date().addingTimeInterval(-55 * 60))
        let store = JobStore(pool: pool, logger: Logger(label: "seed"), now: { clock.withLock { $0 } })
        func advance(_ seconds: Double) { clock.withLock { $0 += seconds } }
        func queued(_ id: Int64, _ pool: String, repository: String = "octo-org/octo-repo") -> WorkflowJobEvent {
            WorkflowJobEvent(deliveryID: UUID().uuidString, action: "queued", jobID: id, runID: id * 10, repository: repository,
                             owner: "octo-org", installationID: 1, labels: ["self-hosted", pool.hasSuffix("windows") ? "windows" : "linux"],
                             status: .queued, pool: pool)
        }
        func progressed(_ id: Int64, _ pool: String, _ status: GitHubStatus, runner: String) -> WorkflowJobEvent {
            var event = queued(id, pool)
            event.deliveryID = UUID().uuidString
            event.action = status.rawValue
            event.status = status
            event.runnerName = runner
            event.conclusion = status == .completed ? "success" : nil
            return event
        }
        func launch(_ pool: String, expect ids: [Int64]) async throws {
            let jobs = try await store.claim(pool: pool, limit: ids.count, leaseOwner: "seed", lease: .seconds(600))
            #expect(jobs.map(\.id) == ids)
            for job in jobs {
                let runner = "runway-\(pool)-\(job.id)-0"
                #expect(try await store.markLaunched(jobID: job.id, lease: try #require(job.lease), runnerName: runner, providerID: "i-\(job.id)"))
            }
        }
        for n in 0..<24 {
            let id = Int64(2001 + n)
            _ = try await store.record(queued(id, "ec2-windows"))
            advance(Double(3 + n % 7 * 9))  // queue times from 3 s to 57 s
            try await launch("ec2-windows", expect: [id])
            advance(20)
            _ = try await store.record(progressed(id, "ec2-windows", .completed, runner: "runway-ec2-windows-\(id)-0"))
            _ = try await store.markRunnerGone(name: "runway-ec2-windows-\(id)-0")
            advance(60)
        }
        _ = try await store.record(queued(2999, "ec2-windows", repository: hostileRepository))
        let failing = try #require(try await store.claim(pool: "ec2-windows", limit: 1, leaseOwner: "seed", lease: .seconds(600)).first)
        #expect(try await store.release(jobID: 2999, lease: try #require(failing.lease), retryAfter: .zero, error: failureReason, permanent: true) == .failed)
        clock.withLock { $0 = Date().addingTimeInterval(-90) }
        for id: Int64 in [1001, 1002] { _ = try await store.record(queued(id, "ec2-ubuntu")) }
        advance(15)
        try await launch("ec2-ubuntu", expect: [1001, 1002])
        for id: Int64 in [1001, 1002] {
            _ = try await store.record(progressed(id, "ec2-ubuntu", .inProgress, runner: "runway-ec2-ubuntu-\(id)-0"))
        }
        advance(30)
        for id: Int64 in [1003, 1004, 1005] { _ = try await store.record(queued(id, "ec2-ubuntu")) }
    }

    static func poolsFile() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("status-pools-\(UUID().uuidString).yaml").path
        try """
            pools:
              - {name: ec2-ubuntu, host: ec2, os: ubuntu, labels: [linux], orchestrator_url: "http://127.0.0.1:9",
                 max_runners: 2, launch_rate: 2, ec2: {image_id: ami-1, instance_types: [t3.micro], subnet_ids: [subnet-1]}}
              - {name: ec2-windows, host: ec2, os: windows, labels: [windows], orchestrator_url: "http://127.0.0.1:9",
                 max_runners: 8, launch_rate: 0.5, ec2: {image_id: ami-2, instance_types: [t3.large], subnet_ids: [subnet-1]}}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The `<tr …>…</tr>` element that starts with `opening`, or "" when absent.
    static func row(_ opening: String, in dom: String) -> String {
        guard let start = dom.range(of: opening), let end = dom.range(of: "</tr>", range: start.upperBound..<dom.endIndex) else { return "" }
        return String(dom[start.lowerBound..<end.upperBound])
    }

    @Test func chromiumRendersTheStatusPage() async throws {
        _ = try Chromium.executable()
        let databaseURL = try await TestEnvironment.freshDatabase()
        try await Self.seed(databaseURL: databaseURL)
        let publisher = try await ServiceProcess("publisher", environment: [
            "DATABASE_URL": databaseURL, "RUNWAY_POOLS": try Self.poolsFile(), "RUNWAY_INTERNAL_TOKEN": "status-page-token-0123456789",
        ])
        // On an early exit (a failed #require) the process is killed when `publisher` goes away.
        let url = publisher.url + "/"

        let dom = try await Chromium.run(["--dump-dom", url])
        let context = "\(dom.prefix(3000))\n--- publisher log ---\n\(publisher.logs.suffix(1500))"
        #expect(dom.contains("<title>Runway · Publisher status</title>"), "\(context)")
        let ubuntu = Self.row("<tr data-pool=\"ec2-ubuntu\">", in: dom)
        #expect(ubuntu.contains("<td class=\"host\">ec2 / ubuntu</td><td class=\"num pending\">3</td><td class=\"num active\">2</td><td class=\"num max\">2</td>"), "\(ubuntu)\n\(context)")
        #expect(ubuntu.contains("<td class=\"num rate\">2/s</td>") && ubuntu.contains("(2 launched)"), "\(ubuntu)")
        let windows = Self.row("<tr data-pool=\"ec2-windows\">", in: dom)
        #expect(windows.contains("<td class=\"host\">ec2 / windows</td><td class=\"num pending\">0</td><td class=\"num active\">0</td><td class=\"num max\">8</td>"), "\(windows)")
        #expect(windows.contains("<td class=\"num rate\">0.5/s</td>") && windows.contains("(0 launched)"), "\(windows)")

        for id in [1005, 1004, 1003, 1002, 1001, 2999, 2024] {
            #expect(dom.contains("<tr data-job=\"\(id)\">"), "job \(id) missing")
        }
        #expect(Self.row("<tr data-job=\"1001\">", in: dom).contains("runway-ec2-ubuntu-1001-0"))
        #expect(Self.row("<tr data-job=\"1001\">", in: dom).contains("<span class=\"badge gh-in_progress\">in_progress</span>"))
        #expect(Self.row("<tr data-job=\"1001\">", in: dom).contains("<td class=\"num queue\">15 s</td>"))
        let failure = Self.row("<tr data-failure=\"2999\">", in: dom)
        #expect(failure.contains("<td class=\"reason\">\(Self.failureReason)</td>"), "\(failure)")
        #expect(failure.contains("<span class=\"badge st-failed\">failed</span>"), "\(failure)")

        // The chart: an SVG with one group per minute that launched something.
        #expect(dom.contains("<svg id=\"queue-time-chart\""))
        let bars = dom.components(separatedBy: "<g data-minute=").count - 1
        #expect((20...26).contains(bars), "\(bars) chart bars")
        // The HTML repository name is text, not an element: the page has no script at all.
        #expect(dom.contains("octo-org/&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!dom.contains("<script"))

        let png = FileManager.default.temporaryDirectory.appendingPathComponent("runway-status-\(UUID().uuidString).png")
        defer { try? FileManager.default.removeItem(at: png) }
        _ = try await Chromium.run(["--screenshot=\(png.path)", "--window-size=1280,1600", url])
        let bytes = [UInt8](try Data(contentsOf: png))
        if let keep = ProcessInfo.processInfo.environment["RUNWAY_STATUS_SCREENSHOT"] {  // to look at it
            try Data(bytes).write(to: URL(fileURLWithPath: keep))
        }
        #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "not a PNG")
        #expect(bytes.count > 30_000, "screenshot is only \(bytes.count) bytes")
        let be32 = { (at: Int) in bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        #expect(bytes.count > 24 && be32(16) == 1280 && be32(20) == 1600, "IHDR size")
        #expect(await publisher.stop() == 0)
    }
}

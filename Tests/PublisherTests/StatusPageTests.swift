import Foundation
import HTTP
import JobStore
import RunwayKit
import Synchronization
import Testing
@testable import PublisherCore

/// A status source answering a fixed snapshot, or failing; it records the queries it got.
final class FakeStatusSource: StatusSource, Sendable {
    let snapshot: StatusSnapshot?
    let queries = Mutex<[StatusQuery]>([])
    init(_ snapshot: StatusSnapshot?) { self.snapshot = snapshot }

    func statusSnapshot(_ query: StatusQuery) async throws -> StatusSnapshot {
        queries.withLock { $0.append(query) }
        guard let snapshot else { throw FakeError.down }
        return snapshot
    }
}

@Suite struct StatusPageTests {
    static let now = Date(timeIntervalSince1970: 1_795_942_232)  // 2026-11-29 08:50:32 UTC
    static let pools = [
        StatusPage.PoolInfo(name: "ec2-ubuntu", host: "ec2", os: "ubuntu", maxRunners: 4, launchRate: 2),
        StatusPage.PoolInfo(name: "eks-ubuntu", host: "eks", os: "ubuntu", maxRunners: 10, launchRate: 0.5),
    ]

    static func html(_ snapshot: StatusSnapshot, settings: StatusPage.Settings = .init()) -> String {
        StatusPageHTML(pools: pools, settings: settings).render(snapshot)
    }

    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    @Test func untrustedTextIsEscapedEverywhere() {
        let hostile = StatusJob(
            id: 7, repository: "octo/<script>alert(1)</script>", pool: "ec2-ubuntu", status: "queued",
            dispatchState: "failed", runnerName: "\"><b onmouseover=x>r</b>", attempts: 5,
            lastError: "HTTP 422: <img src=x onerror=alert(2)> & 'quoted'", receivedAt: Self.now - 30)
        let page = Self.html(StatusSnapshot(takenAt: Self.now, recentJobs: [hostile], failures: [hostile]))
        #expect(!page.contains("<script"))
        #expect(!page.contains("<img"))
        #expect(!page.contains("<b onmouseover"))
        #expect(Self.count("octo/&lt;script&gt;alert(1)&lt;/script&gt;", in: page) == 2)
        #expect(page.contains("&quot;&gt;&lt;b onmouseover=x&gt;r&lt;/b&gt;"))
        #expect(page.contains("HTTP 422: &lt;img src=x onerror=alert(2)&gt; &amp; &#39;quoted&#39;"))
        #expect(page.contains("<div class=\"card\" id=\"card-failed\"><b>1</b><span>failed jobs (1 job with a reason below)</span>"))
        #expect(StatusFormat.escape("a<b>&\"'c") == "a&lt;b&gt;&amp;&quot;&#39;c")
        // A state value outside the known words cannot choose a CSS class either.
        let odd = StatusJob(id: 8, repository: "o/r", pool: nil, status: "x\" y", dispatchState: "pending", receivedAt: Self.now)
        #expect(Self.html(StatusSnapshot(takenAt: Self.now, recentJobs: [odd])).contains("<span class=\"badge gh-other\">x&quot; y</span>"))
    }

    @Test func emptyStatesAndAChartWithNoData() {
        let page = Self.html(StatusSnapshot(takenAt: Self.now))
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(page.contains("<meta http-equiv=\"refresh\" content=\"5\">"))
        #expect(page.contains("<time id=\"rendered-at\" datetime=\"2026-11-29T08:50:32Z\">2026-11-29 08:50:32 UTC</time>"))
        #expect(page.contains("No jobs yet."))
        #expect(page.contains("No failures."))
        #expect(page.contains("<b>0</b><span>failed jobs (0 jobs with a reason below)</span>"))
        #expect(page.contains("<svg id=\"queue-time-chart\""))
        #expect(page.contains("No launches in the last 60 minutes"))
        #expect(!page.contains("<g data-minute"))
        // Pools with no activity still show their configuration.
        #expect(page.contains("<tr data-pool=\"eks-ubuntu\"><td class=\"name\">eks-ubuntu</td><td class=\"host\">eks / ubuntu</td>"
            + "<td class=\"num pending\">0</td><td class=\"num active\">0</td><td class=\"num max\">10</td>"))
        #expect(page.contains("<td class=\"num rate\">0.5/s</td>"))
        // Nothing is loaded from elsewhere.
        #expect(!page.contains("src="))
        #expect(!page.contains("href="))
        #expect(!page.contains("@import"))
        #expect(StatusPageHTML(pools: [], settings: .init()).render(StatusSnapshot(takenAt: Self.now)).contains("No pools configured."))
    }

    @Test func poolsJobsAndTheChartShowTheData() {
        let snapshot = StatusSnapshot(
            takenAt: Self.now,
            pools: [PoolActivity(pool: "ec2-ubuntu", pending: 3, active: 4, recentLaunches: 12)],
            queueTimes: [
                QueueTimeBucket(minute: Self.now - 3 * 3600, launches: 1, p50: 900, max: 900),  // outside the hour
                QueueTimeBucket(minute: Self.now - 1800, launches: 4, p50: 12, max: 75),
                QueueTimeBucket(minute: Self.now, launches: 1, p50: 0.4, max: 0.4),
            ],
            recentJobs: [StatusJob(id: 42, repository: "octo/app", pool: "ec2-ubuntu", status: "in_progress", dispatchState: "launched",
                                   runnerName: "runway-ec2-ubuntu-42-0", receivedAt: Self.now - 95, launchedAt: Self.now - 20)])
        let page = Self.html(snapshot)
        #expect(page.contains("<td class=\"num pending\">3</td><td class=\"num active\">4</td><td class=\"num max\">4</td>"
            + "<td class=\"usage\"><div class=\"meter full\"><span style=\"width:100%\"></span></div></td>"
            + "<td class=\"num rate\">2/s</td><td class=\"num observed\">0.04/s <small>(12 launched)</small></td>"))
        #expect(page.contains("<div class=\"card\" id=\"card-active\"><b>4<small> / 14</small></b>"))
        #expect(page.contains("<tr data-job=\"42\"><td class=\"when\">08:48:57</td><td class=\"id\">42</td><td class=\"repo\">octo/app</td>"))
        #expect(page.contains("<span class=\"badge st-launched\">launched</span>"))
        #expect(page.contains("<td class=\"runner\">runway-ec2-ubuntu-42-0</td><td class=\"num queue\">1 m 15 s</td>"))
        // Two bars in the window (the 3-hour-old bucket is dropped), on a 0–2 min scale.
        #expect(Self.count("<g data-minute=", in: page) == 2)
        #expect(page.contains("<g data-minute=\"08:20\"><title>08:20 UTC: 4 launched, median 12 s, longest 1 m 15 s</title>"))
        for label in ["queue time", "minute of launch (UTC)", ">0.0 s<", ">30 s<", ">1 m<", ">1 m 30 s<", ">2 m<", ">07:51<", ">08:50<"] {
            #expect(page.contains(label), "missing \(label)")
        }
        #expect(page.contains("5 launched · longest wait 1 m 15 s"))
        #expect(!page.contains("No launches"))
    }

    @Test func servesHTMLThatCannotRunScriptsAndA503WhenTheStoreIsDown() async {
        let source = FakeStatusSource(StatusSnapshot(takenAt: Self.now))
        let page = StatusPage(source: source, pools: Self.pools, settings: .init(refreshSeconds: 10), logger: quietLogger())
        let ok = await page.serve(HTTPRequest(method: "GET", target: "/"))
        #expect(ok.status == 200)
        #expect(ok.headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(ok.headers["Content-Security-Policy"]?.hasPrefix("default-src 'none'; style-src 'unsafe-inline'") == true)
        #expect(ok.headers["Cache-Control"] == "no-store")
        #expect(String(decoding: ok.body, as: UTF8.self).contains("content=\"10\""))
        #expect(source.queries.withLock { $0 } == [StatusQuery(pools: ["ec2-ubuntu", "eks-ubuntu"])])

        let down = await StatusPage(source: FakeStatusSource(nil), pools: Self.pools, logger: quietLogger())
            .serve(HTTPRequest(method: "GET", target: "/"))
        #expect(down.status == 503)
        let body = String(decoding: down.body, as: UTF8.self)
        #expect(body.contains("Job store unavailable"))
        #expect(body.contains("<meta http-equiv=\"refresh\" content=\"5\">"))
    }

    @Test func thePublisherServesThePageAtTheRootWithoutAToken() async throws {
        let clock = ManualClock()
        let pools = try PoolsConfig.parse("""
            pools:
              - {name: ec2-ubuntu, host: ec2, os: ubuntu, labels: [a], orchestrator_url: "http://127.0.0.1:9",
                 ec2: {image_id: ami-1, instance_types: [t3.micro], subnet_ids: [subnet-1]}}
            """)
        let source = FakeStatusSource(StatusSnapshot(takenAt: Self.now))
        let service = PublisherService(
            pools: pools, store: FakeStore(clock: clock), orchestrator: FakeOrchestrator(clock: clock), leader: FakeLeader(),
            token: "internal-token-0123456789", status: source, logger: quietLogger())
        var router = Router()
        service.install(into: &router)
        guard case .found(let route, _) = router.match(method: "GET", path: "/") else {
            Issue.record("GET / is not routed")
            return
        }
        let response = try await route.handler(HTTPRequest(method: "GET", target: "/"))
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self).contains("<tr data-pool=\"ec2-ubuntu\">"))
    }

    @Test func formats() {
        #expect(StatusFormat.duration(0.04) == "0.0 s")
        #expect(StatusFormat.duration(9.96) == "10.0 s")
        #expect(StatusFormat.duration(42.4) == "42 s")
        #expect(StatusFormat.duration(120) == "2 m")
        #expect(StatusFormat.duration(200) == "3 m 20 s")
        #expect(StatusFormat.duration(3900) == "1 h 05 m")
        #expect(StatusFormat.rate(0) == "0/s")
        #expect(StatusFormat.rate(2) == "2/s")
        #expect(StatusFormat.rate(0.25) == "0.25/s")
        #expect(StatusFormat.rate(1.5) == "1.5/s")
        #expect(StatusFormat.rate(1 / 300) == "0.003/s")
        #expect(QueueTimeChart.scale(for: 0) == 1)
        #expect(QueueTimeChart.scale(for: 75) == 120)
        #expect(QueueTimeChart.scale(for: 100_000) == 100_800)
        // The hand-written UTC calendar agrees with Foundation's over a spread of dates.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        for seconds in stride(from: -2_000_000_000.0, through: 4_000_000_000, by: 86_399_937) {
            let date = Date(timeIntervalSince1970: seconds)
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            let mine = UTCParts(date)
            #expect([mine.year, mine.month, mine.day, mine.hour, mine.minute, mine.second]
                    == [c.year, c.month, c.day, c.hour, c.minute, c.second], "\(seconds)")
        }
    }
}

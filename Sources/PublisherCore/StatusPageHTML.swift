import Foundation
import JobStore

/// Renders the status page: server-side HTML with inline CSS and an inline SVG chart. Every
/// dynamic string is escaped with `StatusFormat.escape` (repository names, labels and errors
/// come from webhooks); numbers and fixed words are the only unescaped output.
struct StatusPageHTML {
    let pools: [StatusPage.PoolInfo]
    let settings: StatusPage.Settings

    private typealias F = StatusFormat

    func render(_ snapshot: StatusSnapshot) -> String {
        head(title: "Runway · Publisher status")
            + header(at: snapshot.takenAt)
            + "<main>\n" + cards(snapshot) + poolsSection(snapshot) + chartSection(snapshot)
            + failuresSection(snapshot.failures) + jobsSection(snapshot.recentJobs) + footer() + "</main>\n</body>\n</html>\n"
    }

    /// The page shown while the job store cannot be read; it keeps refreshing.
    func unavailable(at date: Date) -> String {
        head(title: "Runway · Publisher status (unavailable)") + header(at: date)
            + "<main>\n<section class=\"outage\"><h2>Job store unavailable</h2>"
            + "<p>The Publisher cannot read its database right now. This page retries every \(refresh) s.</p></section>\n"
            + "</main>\n</body>\n</html>\n"
    }

    private var refresh: Int { max(1, settings.refreshSeconds) }
    private var rateMinutes: Int { max(1, Int(settings.rateWindow.components.seconds / 60)) }
    private var chartMinutes: Int { max(1, Int(settings.chartWindow.components.seconds / 60)) }

    private func head(title: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta http-equiv="refresh" content="\(refresh)">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(F.escape(title))</title>
        <style>\(Self.css)</style>
        </head>
        <body>

        """
    }

    private func header(at date: Date) -> String {
        """
        <header><h1>Runway <span>Publisher status</span></h1>
        <p class="meta">Rendered <time id="rendered-at" datetime="\(F.rfc3339(date))">\(F.timestamp(date))</time> \
        · refreshes every \(refresh) s</p></header>

        """
    }

    private func cards(_ s: StatusSnapshot) -> String {
        let pending = s.pools.map(\.pending).reduce(0, +), active = s.pools.map(\.active).reduce(0, +)
        let capacity = pools.map(\.maxRunners).reduce(0, +), launches = s.pools.map(\.recentLaunches).reduce(0, +)
        let failed = s.failures.filter { $0.dispatchState == "failed" }.count
        func card(_ id: String, _ value: String, _ label: String) -> String {
            "<div class=\"card\" id=\"card-\(id)\"><b>\(value)</b><span>\(label)</span></div>"
        }
        return "<section class=\"cards\">" + card("pending", "\(pending)", "pending jobs")
            + card("active", "\(active)<small> / \(capacity)</small>", "active runners / capacity")
            + card("launches", "\(launches)", "launches in the last \(rateMinutes) min")
            + card("failed", "\(failed)", "failed jobs (\(s.failures.count) \(s.failures.count == 1 ? "job" : "jobs") with a reason below)")
            + "</section>\n"
    }

    private func poolsSection(_ s: StatusSnapshot) -> String {
        var html = """
            <section id="pools"><h2>Pools</h2>
            <table><thead><tr><th>Pool</th><th>Host / OS</th><th class="num">Pending</th><th class="num">Active</th>\
            <th class="num">Max runners</th><th>Usage</th><th class="num">Launch rate (configured)</th>\
            <th class="num">Observed (last \(rateMinutes) min)</th></tr></thead><tbody>

            """
        let activity = Dictionary(s.pools.map { ($0.pool, $0) }, uniquingKeysWith: { first, _ in first })
        for pool in pools {
            let a = activity[pool.name] ?? PoolActivity(pool: pool.name, pending: 0, active: 0, recentLaunches: 0)
            let usage = pool.maxRunners > 0 ? min(100, a.active * 100 / pool.maxRunners) : 0
            let observed = Double(a.recentLaunches) / Double(max(1, settings.rateWindow.components.seconds))
            html += """
                <tr data-pool="\(F.escape(pool.name))"><td class="name">\(F.escape(pool.name))</td>\
                <td class="host">\(F.escape(pool.host)) / \(F.escape(pool.os))</td>\
                <td class="num pending">\(a.pending)</td><td class="num active">\(a.active)</td>\
                <td class="num max">\(pool.maxRunners)</td>\
                <td class="usage"><div class="meter\(usage >= 100 ? " full" : "")"><span style="width:\(usage)%"></span></div></td>\
                <td class="num rate">\(F.rate(pool.launchRate))</td>\
                <td class="num observed">\(F.rate(observed)) <small>(\(a.recentLaunches) launched)</small></td></tr>

                """
        }
        if pools.isEmpty { html += "<tr><td colspan=\"8\" class=\"empty\">No pools configured.</td></tr>\n" }
        return html + "</tbody></table></section>\n"
    }

    private func chartSection(_ s: StatusSnapshot) -> String {
        let chart = QueueTimeChart(buckets: s.queueTimes, end: s.takenAt, minutes: chartMinutes)
        let inWindow = chart.slotted.map(\.bucket)
        let launches = inWindow.map(\.launches).reduce(0, +)
        let longest = inWindow.map(\.max).max()
        let summary = launches == 0 ? "no launches"
            : "\(launches) launched · longest wait \(F.duration(longest ?? 0))"
        return """
            <section id="queue-time"><h2>Queue time, last \(chartMinutes) minutes <small>(launched_at − received_at, \
            per minute of launch, all pools: \(summary))</small></h2>
            \(chart.svg())
            </section>

            """
    }

    private func jobsSection(_ jobs: [StatusJob]) -> String {
        var html = """
            <section id="recent-jobs"><h2>Recent jobs <small>(newest \(settings.recentLimit) by receive time)</small></h2>
            <table><thead><tr><th>Received</th><th>Job</th><th>Repository</th><th>Pool</th><th>GitHub</th>\
            <th>Dispatch</th><th>Runner</th><th class="num">Queue time</th></tr></thead><tbody>

            """
        for job in jobs {
            html += """
                <tr data-job="\(job.id)"><td class="when">\(F.time(job.receivedAt))</td><td class="id">\(job.id)</td>\
                <td class="repo">\(F.escape(job.repository, limit: 120))</td><td class="pool">\(F.escape(job.pool ?? "—"))</td>\
                <td>\(badge("gh", job.status))</td><td>\(badge("st", job.dispatchState))</td>\
                <td class="runner">\(F.escape(job.runnerName ?? "—", limit: 120))</td>\
                <td class="num queue">\(job.queueTime.map(F.duration) ?? "—")</td></tr>

                """
        }
        if jobs.isEmpty { html += "<tr><td colspan=\"8\" class=\"empty\">No jobs yet.</td></tr>\n" }
        return html + "</tbody></table></section>\n"
    }

    private func failuresSection(_ jobs: [StatusJob]) -> String {
        var html = """
            <section id="failures"><h2>Failures <small>(failed, unroutable and retried jobs with their last \
            reason, newest first)</small></h2>
            <table><thead><tr><th>When</th><th>Job</th><th>Repository</th><th>Pool</th><th>Dispatch</th>\
            <th class="num">Attempts</th><th>Reason</th></tr></thead><tbody>

            """
        for job in jobs {
            html += """
                <tr data-failure="\(job.id)"><td class="when">\(F.time(job.updatedAt))</td><td class="id">\(job.id)</td>\
                <td class="repo">\(F.escape(job.repository, limit: 120))</td><td class="pool">\(F.escape(job.pool ?? "—"))</td>\
                <td>\(badge("st", job.dispatchState))</td><td class="num attempts">\(job.attempts)</td>\
                <td class="reason">\(F.escape(job.lastError ?? "", limit: 400))</td></tr>

                """
        }
        if jobs.isEmpty { html += "<tr><td colspan=\"7\" class=\"empty\">No failures.</td></tr>\n" }
        return html + "</tbody></table></section>\n"
    }

    private func footer() -> String {
        """
        <footer>Counts come from the jobs and runners tables at render time: <b>pending</b> = claimable \
        jobs, <b>active</b> = runners launched or busy plus launches in flight (what counts against \
        max_runners), <b>observed</b> = jobs launched in the last \(rateMinutes) minutes ÷ \
        \(rateMinutes * 60) s. Times are UTC.</footer>

        """
    }

    /// A state badge; the class is derived from the escaped value, so a strange value cannot break out.
    private func badge(_ kind: String, _ value: String) -> String {
        let safe = F.escape(value)
        let cls = value.allSatisfy { $0.isASCII && ($0.isLetter || $0 == "_") } ? "\(kind)-\(value)" : "\(kind)-other"
        return "<span class=\"badge \(cls)\">\(safe)</span>"
    }
}

import Foundation
import HTTP
import JobStore
import Logging
import RunwayKit

/// `GET /` on the Publisher: one self-contained HTML page for operators (no external assets,
/// no JavaScript). Open on the internal port without the bearer token: it is read-only, bounded
/// and shows no secrets (docs/decisions/statuspage.md).
public struct StatusPage: Sendable {
    /// A configured pool's static facts.
    public struct PoolInfo: Sendable, Equatable {
        /// Pool name.
        public var name: String
        /// `ec2` or `eks`.
        public var host: String
        /// `ubuntu` or `windows`.
        public var os: String
        /// The pool's `max_runners`.
        public var maxRunners: Int
        /// The configured launch rate, launches per second.
        public var launchRate: Double

        /// Creates pool facts.
        public init(name: String, host: String, os: String, maxRunners: Int, launchRate: Double) {
            self.name = name
            self.host = host
            self.os = os
            self.maxRunners = maxRunners
            self.launchRate = launchRate
        }

        /// The facts of a configured pool.
        public init(pool: Pool) {
            self.init(name: pool.name, host: pool.host.rawValue, os: pool.os.rawValue, maxRunners: pool.maxRunners,
                      launchRate: pool.launchRate)
        }
    }

    /// What the page shows and how often it reloads.
    public struct Settings: Sendable, Equatable {
        /// Seconds between reloads (`<meta http-equiv="refresh">`; default 5).
        public var refreshSeconds: Int
        /// Queue-time chart window (default 1 h; the chart has one bar per minute).
        public var chartWindow: Duration
        /// Window of the observed launch rate (default 5 min).
        public var rateWindow: Duration
        /// Recent jobs shown (default 25).
        public var recentLimit: Int
        /// Failures shown (default 15).
        public var failureLimit: Int

        /// Creates settings.
        public init(refreshSeconds: Int = 5, chartWindow: Duration = .seconds(3600), rateWindow: Duration = .seconds(300),
                    recentLimit: Int = 25, failureLimit: Int = 15) {
            self.refreshSeconds = refreshSeconds
            self.chartWindow = chartWindow
            self.rateWindow = rateWindow
            self.recentLimit = recentLimit
            self.failureLimit = failureLimit
        }
    }

    private let source: any StatusSource
    private let pools: [PoolInfo]
    private let settings: Settings
    private let logger: Logger

    /// Creates the page over a store.
    public init(source: any StatusSource, pools: [PoolInfo], settings: Settings = .init(), logger: Logger) {
        self.source = source
        self.pools = pools
        self.settings = settings
        self.logger = logger
    }

    /// Headers of every answer: HTML that can run no script and load nothing, even if a value
    /// escaped our escaping; never cached (it is live data).
    static let headers: HTTPHeaders = [
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    ]

    /// Serves the page: 200 with the current data, or 503 with a page that keeps refreshing
    /// when the job store cannot be read.
    public func serve(_ request: HTTPRequest) async -> HTTPResponse {
        let query = StatusQuery(
            pools: pools.map(\.name), chartWindow: settings.chartWindow, rateWindow: settings.rateWindow,
            recentLimit: settings.recentLimit, failureLimit: settings.failureLimit)
        do {
            let snapshot = try await source.statusSnapshot(query)
            let html = StatusPageHTML(pools: pools, settings: settings).render(snapshot)
            return HTTPResponse(status: 200, headers: Self.headers, body: Array(html.utf8))
        } catch {
            logger.warning("status page: cannot read the job store", metadata: ["error": "\(error)"])
            let html = StatusPageHTML(pools: pools, settings: settings).unavailable(at: Date())
            return HTTPResponse(status: 503, headers: Self.headers, body: Array(html.utf8))
        }
    }
}

import Foundation

/// What the Publisher's status page shows, read from the store in a few bounded queries
/// (`JobStore.statusReport`). Every list is LIMITed; every range scan has an index.
public struct StatusReport: Sendable, Equatable {
    /// The store's clock when the report was read; windows end here.
    public var takenAt: Date
    /// One entry per requested pool, in the order asked.
    public var pools: [PoolActivity]
    /// Queue time of the jobs launched in the chart window, per minute of launch, oldest first;
    /// minutes without launches are absent.
    public var queueTimes: [QueueTimeBucket]
    /// The newest jobs by receive time, newest first.
    public var recentJobs: [Job]
    /// Jobs carrying a `last_error` (failed, unroutable, or retried), newest change first.
    public var failures: [Job]

    /// Creates a report.
    public init(takenAt: Date, pools: [PoolActivity], queueTimes: [QueueTimeBucket], recentJobs: [Job], failures: [Job]) {
        self.takenAt = takenAt
        self.pools = pools
        self.queueTimes = queueTimes
        self.recentJobs = recentJobs
        self.failures = failures
    }
}

/// One pool's live counts and recent launches.
public struct PoolActivity: Sendable, Equatable {
    /// Pool name.
    public var pool: String
    /// Claimable jobs (pending, GitHub `queued`, backoff passed): the same count as `GET /v1/pools`.
    public var pending: Int
    /// Runners `launched` or `busy` plus jobs `dispatching`: what counts against `max_runners`.
    public var active: Int
    /// Jobs whose `launched_at` lies in the rate window.
    public var recentLaunches: Int

    /// Creates a value.
    public init(pool: String, pending: Int, active: Int, recentLaunches: Int) {
        self.pool = pool
        self.pending = pending
        self.active = active
        self.recentLaunches = recentLaunches
    }
}

/// Queue time (`launched_at − received_at`) of the jobs launched in one minute.
public struct QueueTimeBucket: Sendable, Equatable {
    /// Start of the minute (UTC, whole minute).
    public var minute: Date
    /// Jobs launched in that minute.
    public var launches: Int
    /// Median queue time, seconds.
    public var p50: Double
    /// Longest queue time, seconds.
    public var max: Double

    /// Creates a bucket.
    public init(minute: Date, launches: Int, p50: Double, max: Double) {
        self.minute = minute
        self.launches = launches
        self.p50 = p50
        self.max = max
    }
}

/// The windows and limits of a status report.
public struct StatusQuery: Sendable, Equatable {
    /// Pools to report on (the configured ones), in display order.
    public var pools: [String]
    /// The queue-time chart covers launches in this window (default 1 h).
    public var chartWindow: Duration
    /// The observed launch rate counts launches in this window (default 5 min).
    public var rateWindow: Duration
    /// Recent jobs shown (1...200, default 25).
    public var recentLimit: Int
    /// Failures shown (1...200, default 15).
    public var failureLimit: Int

    /// Creates a query.
    public init(
        pools: [String], chartWindow: Duration = .seconds(3600), rateWindow: Duration = .seconds(300),
        recentLimit: Int = 25, failureLimit: Int = 15
    ) {
        self.pools = pools
        self.chartWindow = chartWindow
        self.rateWindow = rateWindow
        self.recentLimit = recentLimit
        self.failureLimit = failureLimit
    }
}

import Foundation
import HTTP
import RunwayKit

/// The Publisher's HTTP endpoints (DESIGN.md, "Publisher"); every one needs the internal token.
public struct AdminAPI: Sendable {
    private let store: any DispatchStore
    private let pools: [PoolLimits]
    private let token: String?
    private let onNotify: @Sendable (NotifyRequest) async -> Void

    /// The body of `POST /v1/notify` (both fields optional).
    public struct NotifyRequest: Sendable, Codable, Equatable {
        public var reason: String?
        public var jobID: Int64?

        /// Creates a notify body.
        public init(reason: String? = nil, jobID: Int64? = nil) {
            self.reason = reason
            self.jobID = jobID
        }

        enum CodingKeys: String, CodingKey { case reason, jobID = "job_id" }
    }

    /// One pool in `GET /v1/pools`.
    public struct PoolView: Sendable, Codable, Equatable {
        public var name: String
        public var pending: Int
        public var active: Int
        public var maxRunners: Int
        public var launchRate: Double

        enum CodingKeys: String, CodingKey { case name, pending, active, maxRunners = "max_runners", launchRate = "launch_rate" }
    }

    /// `{"jobs": [...]}`.
    public struct JobList: Sendable, Codable, Equatable { public var jobs: [JobView] }
    /// `{"pools": [...]}`.
    public struct PoolList: Sendable, Codable, Equatable { public var pools: [PoolView] }

    /// The dispatch states a `state` filter may name.
    public static let states: Set<String> = ["pending", "dispatching", "launched", "done", "unroutable", "failed", "cancelled"]

    /// Creates the API; `onNotify` wakes the dispatcher and the tear-down loop.
    public init(store: any DispatchStore, pools: [PoolLimits], token: String?, onNotify: @escaping @Sendable (NotifyRequest) async -> Void) {
        self.store = store
        self.pools = pools
        self.token = token
        self.onNotify = onNotify
    }

    /// `POST /v1/notify` → 202; an empty body is allowed.
    public func notify(_ request: HTTPRequest) async throws -> HTTPResponse {
        try InternalAuth.check(request, token: token)
        let body = request.body.isEmpty ? NotifyRequest() : try request.decodeJSON(NotifyRequest.self)
        await onNotify(body)
        return .json(["status": "accepted"], status: 202)
    }

    /// `GET /v1/jobs?state=&pool=&limit=` (limit 1…1000, default 100), newest first.
    public func listJobs(_ request: HTTPRequest) async throws -> HTTPResponse {
        try InternalAuth.check(request, token: token)
        let query = request.queryParameters
        let state = query["state"].flatMap { $0.isEmpty ? nil : $0 }
        if let state, !Self.states.contains(state) {
            throw HTTPError.badRequest("unknown state '\(state.prefix(32))'", code: "invalid_query")
        }
        var limit = 100
        if let text = query["limit"], !text.isEmpty {
            guard let value = Int(text), (1...1000).contains(value) else {
                throw HTTPError.badRequest("limit must be 1 to 1000", code: "invalid_query")
            }
            limit = value
        }
        let pool = query["pool"].flatMap { $0.isEmpty ? nil : $0 }
        let jobs = try await guarded { try await store.jobs(state: state, pool: pool, limit: limit) }
        return .json(JobList(jobs: jobs))
    }

    /// `GET /v1/jobs/{id}`.
    public func getJob(_ request: HTTPRequest) async throws -> HTTPResponse {
        try InternalAuth.check(request, token: token)
        guard let text = request.pathParameters["id"], let id = Int64(text), id > 0 else {
            throw HTTPError.badRequest("job id must be a positive integer", code: "invalid_path")
        }
        guard let job = try await guarded({ try await store.job(id: id) }) else { throw HTTPError.notFound("no job \(id)") }
        return .json(job)
    }

    /// `GET /v1/pools`: pending and active counts with each pool's limits.
    public func listPools(_ request: HTTPRequest) async throws -> HTTPResponse {
        try InternalAuth.check(request, token: token)
        var views: [PoolView] = []
        for pool in pools {
            let pending = try await guarded { try await store.pendingCount(pool: pool.name) }
            let active = try await guarded { try await store.activeRunnerCount(pool: pool.name) }
            views.append(PoolView(name: pool.name, pending: pending, active: active, maxRunners: pool.maxRunners, launchRate: pool.launchRate))
        }
        return .json(PoolList(pools: views))
    }

    private func guarded<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw HTTPError(status: 503, code: "database_unavailable", message: "the job store is unavailable")
        }
    }
}

extension JobView {
    /// Encodes every field, absent ones as `null`, so clients see the full shape.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(runID, forKey: .runID)
        try c.encode(repository, forKey: .repository)
        try c.encode(labels, forKey: .labels)
        try c.encode(pool, forKey: .pool)
        try c.encode(status, forKey: .status)
        try c.encode(dispatchState, forKey: .dispatchState)
        try c.encode(runnerName, forKey: .runnerName)
        try c.encode(attempts, forKey: .attempts)
        try c.encode(lastError, forKey: .lastError)
        try c.encode(receivedAt, forKey: .receivedAt)
        try c.encode(launchedAt, forKey: .launchedAt)
        try c.encode(completedAt, forKey: .completedAt)
        try c.encode(traceID, forKey: .traceID)
    }
}

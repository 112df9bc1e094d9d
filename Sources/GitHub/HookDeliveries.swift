import Foundation

/// One delivery of the App's webhook (`GET /app/hook/deliveries`), without request/response.
public struct HookDelivery: Decodable, Sendable, Equatable {
    /// Delivery id (what `redeliver` takes).
    public var id: Int64
    /// `X-GitHub-Delivery` GUID; a redelivery keeps the original's.
    public var guid: String
    /// When GitHub attempted it.
    public var deliveredAt: Date
    /// Whether this attempt was a redelivery.
    public var redelivery: Bool
    /// Seconds spent delivering.
    public var duration: Double?
    /// GitHub's summary, e.g. `OK` or `failed to connect`.
    public var status: String
    /// The HTTP status our endpoint answered (0 when it could not be reached).
    public var statusCode: Int
    /// Event name, e.g. `workflow_job`.
    public var event: String
    /// Event action, e.g. `queued`.
    public var action: String?
    /// Installation the event belongs to.
    public var installationID: Int64?
    /// Repository the event belongs to.
    public var repositoryID: Int64?

    /// Whether our endpoint accepted it (2xx).
    public var succeeded: Bool { (200..<300).contains(statusCode) }

    enum CodingKeys: String, CodingKey {
        case id, guid, redelivery, duration, status, event, action
        case deliveredAt = "delivered_at"
        case statusCode = "status_code"
        case installationID = "installation_id"
        case repositoryID = "repository_id"
    }
}

/// One delivery with the request GitHub sent (`GET /app/hook/deliveries/{id}`).
public struct HookDeliveryDetail: Decodable, Sendable {
    /// The summary fields.
    public var delivery: HookDelivery
    /// Request headers GitHub sent (`X-GitHub-Event`, `X-GitHub-Delivery`, …).
    public var requestHeaders: [String: String]
    /// The URL it was delivered to.
    public var url: String?

    private enum Keys: String, CodingKey { case request, url }
    private struct Request: Decodable { var headers: [String: String]? }

    public init(from decoder: any Decoder) throws {
        delivery = try HookDelivery(from: decoder)
        let c = try decoder.container(keyedBy: Keys.self)
        requestHeaders = try c.decodeIfPresent(Request.self, forKey: .request)?.headers ?? [:]
        url = try c.decodeIfPresent(String.self, forKey: .url)
    }
}

/// One page of deliveries, newest first, and the cursor of the next page.
public struct HookDeliveryPage: Sendable, Equatable {
    /// Deliveries on this page.
    public var deliveries: [HookDelivery]
    /// The `cursor` for the next page (from `Link: rel="next"`), nil on the last page.
    public var nextCursor: String?
}

extension GitHubApp {
    /// One page of `GET /app/hook/deliveries` (JWT), following GitHub's cursor pagination.
    public func hookDeliveries(cursor: String? = nil) async throws(GitHubError) -> HookDeliveryPage {
        let template = "GET /app/hook/deliveries"
        var query = [("per_page", String(configuration.perPage))]
        if let cursor { query.append(("cursor", cursor)) }
        let response = try await send(APICall(method: "GET", path: "/app/hook/deliveries", query: query, template: template),
                                      auth: .app)
        let deliveries = try decode([HookDelivery].self, from: response, template: template)
        let next = LinkHeader.url(response.headers["link"], rel: "next").flatMap { LinkHeader.queryValue($0, "cursor") }
        return HookDeliveryPage(deliveries: deliveries, nextCursor: next)
    }

    /// Every delivery made at or after `since`, newest first (stops paging at older ones).
    public func hookDeliveries(since: Date, maxPages: Int = 50) async throws(GitHubError) -> [HookDelivery] {
        var out: [HookDelivery] = []
        var cursor: String?
        for _ in 0..<max(1, maxPages) {
            let page = try await hookDeliveries(cursor: cursor)
            out += page.deliveries.filter { $0.deliveredAt >= since }
            guard let next = page.nextCursor, !page.deliveries.isEmpty,
                page.deliveries.allSatisfy({ $0.deliveredAt >= since }) else { break }
            cursor = next
        }
        return out
    }

    /// `GET /app/hook/deliveries/{id}` (JWT).
    public func hookDelivery(id: Int64) async throws(GitHubError) -> HookDeliveryDetail {
        let template = "GET /app/hook/deliveries/{id}"
        let response = try await send(APICall(method: "GET", path: "/app/hook/deliveries/\(id)", template: template), auth: .app)
        return try decode(HookDeliveryDetail.self, from: response, template: template)
    }

    /// Asks GitHub to deliver `id` again (`POST /app/hook/deliveries/{id}/attempts`, 202).
    public func redeliverHookDelivery(id: Int64) async throws(GitHubError) {
        let template = "POST /app/hook/deliveries/{id}/attempts"
        _ = try await send(APICall(method: "POST", path: "/app/hook/deliveries/\(id)/attempts", template: template), auth: .app)
    }
}

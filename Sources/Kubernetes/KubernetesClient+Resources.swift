import Foundation
import HTTPClient

/// What a delete found.
public enum DeleteOutcome: Sendable, Equatable {
    /// The object existed and is being deleted.
    case deleted
    /// There was nothing to delete (404): already gone counts as success.
    case alreadyGone
}

extension KubernetesClient {
    /// Creates `object` in `namespace` (201). `dryRun` validates and admits without storing.
    /// A second create of the same name throws `AlreadyExists` (409).
    public func create<T: KubernetesResource>(_ object: T, namespace: String, dryRun: Bool = false) async throws(KubernetesError) -> T {
        let body: Data
        do { body = try JSONEncoder().encode(object) } catch {
            throw KubernetesError(reason: .badRequest, status: nil, message: "object could not be encoded")
        }
        let path = Self.path(namespace: namespace, plural: T.plural) + (dryRun ? "?dryRun=All" : "")
        return try Self.decode(T.self, try await send(method: "POST", path: path, body: Array(body)))
    }

    /// Reads one object; `NotFound` (404) when absent.
    public func get<T: KubernetesResource>(_ type: T.Type, name: String, namespace: String) async throws(KubernetesError) -> T {
        try Self.decode(T.self, try await send(method: "GET", path: Self.path(namespace: namespace, plural: T.plural, name: name)))
    }

    /// Deletes one object (background propagation); a 404 is `.alreadyGone`.
    public func delete<T: KubernetesResource>(
        _ type: T.Type, name: String, namespace: String, gracePeriodSeconds: Int? = nil
    ) async throws(KubernetesError) -> DeleteOutcome {
        var path = Self.path(namespace: namespace, plural: T.plural, name: name) + "?propagationPolicy=Background"
        if let grace = gracePeriodSeconds { path += "&gracePeriodSeconds=\(grace)" }
        do {
            _ = try await send(method: "DELETE", path: path)
            return .deleted
        } catch where error.status == 404 {
            return .alreadyGone
        }
    }

    /// One page of objects matching `labelSelector` (e.g. `runway/pool=eks-ubuntu`).
    public func list<T: KubernetesResource>(
        _ type: T.Type, namespace: String, labelSelector: String? = nil, limit: Int? = nil, continueToken: String? = nil
    ) async throws(KubernetesError) -> KubernetesList<T> {
        var query: [String] = []
        if let labelSelector { query.append("labelSelector=" + Self.encode(labelSelector)) }
        if let limit { query.append("limit=\(limit)") }
        if let continueToken { query.append("continue=" + Self.encode(continueToken)) }
        let path = Self.path(namespace: namespace, plural: T.plural) + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        return try Self.decode(KubernetesList<T>.self, try await send(method: "GET", path: path))
    }

    /// Every object matching `labelSelector`, following `continue` tokens.
    public func listAll<T: KubernetesResource>(
        _ type: T.Type, namespace: String, labelSelector: String? = nil, pageSize: Int = 200, maxPages: Int = 100
    ) async throws(KubernetesError) -> [T] {
        var all: [T] = []
        var token: String?
        for _ in 0..<maxPages {
            let page = try await list(T.self, namespace: namespace, labelSelector: labelSelector, limit: pageSize, continueToken: token)
            all += page.items
            guard let next = page.metadata.continue, !next.isEmpty else { break }
            token = next
        }
        return all
    }

    /// Creates `object`, or returns the existing one when an object of that name is already
    /// there (idempotent launch with deterministic names).
    public func createOrGet<T: KubernetesResource>(_ object: T, namespace: String) async throws(KubernetesError) -> T {
        do {
            return try await create(object, namespace: namespace)
        } catch where error.reason == .alreadyExists {
            return try await get(T.self, name: object.metadata.name ?? "", namespace: namespace)
        }
    }
}

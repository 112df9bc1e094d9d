/// A route handler: thrown `HTTPError`s become their response; any other error becomes a 500
/// `{"error":{"code":"internal",...}}` with no detail.
public typealias HTTPHandler = @Sendable (HTTPRequest) async throws -> HTTPResponse

/// Maps method + path patterns to handlers.
///
/// Patterns are `/`-separated segments; a segment `:name` captures one percent-decoded path segment
/// into `HTTPRequest.pathParameters`. Literal segments win over parameters. A path that matches no
/// pattern is 404; a path that matches with another method is 405 with `Allow`. `HEAD` falls back
/// to the `GET` route (the body is dropped by the server).
public struct Router: Sendable {
    /// One registered route.
    public struct Route: Sendable {
        /// The pattern as registered, e.g. `/v1/jobs/:id`; used as the `route` label in logs and metrics.
        public let pattern: String
        /// The body limit for this route, or nil for the server default.
        public let bodyLimit: Int?
        /// The handler.
        public let handler: HTTPHandler
    }

    /// The result of looking up a request.
    public enum Match: Sendable {
        /// A route matched; `parameters` holds the captured path segments.
        case found(Route, parameters: [String: String])
        /// No pattern matches the path.
        case notFound
        /// The path matches, but not with this method; `allowed` lists the methods that do.
        case methodNotAllowed(allowed: [String])
        /// A captured segment has invalid percent-encoding.
        case badPath
    }

    final class Node: @unchecked Sendable {
        // Safety: nodes are only mutated through `Router.add`, which copies the tree first when it is
        // shared (copy-on-write), so a tree reachable from more than one Router is never mutated.
        var literals: [Substring: Node] = [:]
        var parameter: (name: String, node: Node)?
        var routes: [String: Route] = [:]

        func copy() -> Node {
            let node = Node()
            node.literals = literals.mapValues { $0.copy() }
            node.parameter = parameter.map { ($0.name, $0.node.copy()) }
            node.routes = routes
            return node
        }
    }

    private var root = Node()

    /// Creates an empty router.
    public init() {}

    /// Registers `handler` for `method` and `pattern` (e.g. `"/v1/jobs/:id"`), replacing an earlier one.
    /// - Parameter bodyLimit: overrides the server's default body limit for this route; a larger body
    ///   is refused with 413 before it is read.
    public mutating func add(_ method: String, _ pattern: String, bodyLimit: Int? = nil, _ handler: @escaping HTTPHandler) {
        if !isKnownUniquelyReferenced(&root) { root = root.copy() }
        var node = root
        for segment in Self.segments(pattern) {
            if segment.hasPrefix(":") {
                let name = String(segment.dropFirst())
                if let existing = node.parameter, existing.name == name {
                    node = existing.node
                } else if let existing = node.parameter {
                    // One parameter name per position keeps matching unambiguous; the later name wins.
                    node.parameter = (name, existing.node)
                    node = existing.node
                } else {
                    let child = Node()
                    node.parameter = (name, child)
                    node = child
                }
            } else if let child = node.literals[segment] {
                node = child
            } else {
                let child = Node()
                node.literals[segment] = child
                node = child
            }
        }
        node.routes[method.uppercased()] = Route(pattern: pattern, bodyLimit: bodyLimit, handler: handler)
    }

    /// Registers a `GET` route (also answering `HEAD`).
    public mutating func get(_ pattern: String, bodyLimit: Int? = nil, _ handler: @escaping HTTPHandler) {
        add("GET", pattern, bodyLimit: bodyLimit, handler)
    }

    /// Registers a `POST` route.
    public mutating func post(_ pattern: String, bodyLimit: Int? = nil, _ handler: @escaping HTTPHandler) {
        add("POST", pattern, bodyLimit: bodyLimit, handler)
    }

    /// Registers a `PUT` route.
    public mutating func put(_ pattern: String, bodyLimit: Int? = nil, _ handler: @escaping HTTPHandler) {
        add("PUT", pattern, bodyLimit: bodyLimit, handler)
    }

    /// Registers a `DELETE` route.
    public mutating func delete(_ pattern: String, bodyLimit: Int? = nil, _ handler: @escaping HTTPHandler) {
        add("DELETE", pattern, bodyLimit: bodyLimit, handler)
    }

    /// Looks up `method` and `path` (the path part of the target, still percent-encoded).
    public func match(method: String, path: String) -> Match {
        var node = root
        var captured: [(String, Substring)] = []
        for segment in Self.segments(path) {
            if let child = node.literals[segment] {
                node = child
            } else if let parameter = node.parameter, !segment.isEmpty {
                captured.append((parameter.name, segment))
                node = parameter.node
            } else {
                return .notFound
            }
        }
        guard !node.routes.isEmpty else { return .notFound }
        guard let route = node.routes[method] ?? (method == "HEAD" ? node.routes["GET"] : nil) else {
            var allowed = Set(node.routes.keys)
            if allowed.contains("GET") { allowed.insert("HEAD") }
            return .methodNotAllowed(allowed: allowed.sorted())
        }
        var parameters: [String: String] = [:]
        for (name, raw) in captured {
            guard let value = PercentDecoding.decode(String(raw)) else { return .badPath }
            parameters[name] = value
        }
        return .found(route, parameters: parameters)
    }

    /// Path segments without the leading slash; a trailing slash yields an empty last segment.
    static func segments(_ path: String) -> [Substring] {
        var trimmed = Substring(path)
        if trimmed.hasPrefix("/") { trimmed = trimmed.dropFirst() }
        if trimmed.isEmpty { return [] }
        return trimmed.split(separator: "/", omittingEmptySubsequences: false)
    }
}

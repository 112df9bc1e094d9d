import Logging

/// Runs handlers for the reactor: request ids, trace context, error mapping, serialization, the
/// access-log line and the observer call. Everything here is Sendable; it never touches a socket.
struct RequestDispatcher: Sendable {
    let router: Router
    let logger: Logger
    let observer: (any HTTPServerObserver)?
    let inbox: ReactorInbox
    /// Where handler tasks run; nil for the global concurrent executor.
    let executor: ReactorExecutor?

    /// Answers one complete request. Matched routes run as a task and post their bytes to the
    /// inbox; unmatched ones are answered inline and the bytes are returned.
    func dispatch(
        head: HTTPRequestHead, body: [UInt8], match: Router.Match, connectionID: UInt64, keepAlive: Bool
    ) -> [UInt8]? {
        let started = ContinuousClock.now
        let trace = head.headers["traceparent"].flatMap(TraceContext.init(traceparent:))?.child() ?? .newRoot()
        let requestID = head.headers["X-Request-Id"].flatMap(Self.validRequestID) ?? RandomIDs.hex(bytes: 8)
        let context = ResponseContext(
            method: head.method, version: head.version, keepAlive: keepAlive, trace: trace,
            requestID: requestID, started: started)
        switch match {
        case .found(let route, let parameters):
            let request = HTTPRequest(
                method: head.method, target: head.target, version: head.version, headers: head.headers,
                body: body, pathParameters: parameters, requestID: requestID, trace: trace)
            let dispatcher = self
            Task(executorPreference: executor) {
                let response = await dispatcher.run(route, request)
                var context = context
                // A drain that began while the handler ran: tell the client this connection ends.
                if context.keepAlive && dispatcher.inbox.isStopping { context.keepAlive = false }
                let bytes = dispatcher.finish(response, route: route.pattern, context: context)
                dispatcher.inbox.post(Completion(connectionID: connectionID, bytes: bytes, close: !context.keepAlive))
            }
            return nil
        case .notFound:
            return finish(HTTPError.notFound().response, route: "unmatched", context: context)
        case .methodNotAllowed(let allowed):
            let response = HTTPResponse.error(
                status: 405, code: "method_not_allowed", message: "method not allowed",
                headers: ["Allow": allowed.joined(separator: ", ")])
            return finish(response, route: "unmatched", context: context)
        case .badPath:
            return finish(HTTPError.badRequest("invalid percent-encoding in path").response, route: "unmatched", context: context)
        }
    }

    /// Answers a request the parser rejected (or timed out); the connection closes after it.
    func reject(_ error: HTTPParseError, method: String) -> [UInt8] {
        let context = ResponseContext(
            method: method, version: .http1_1, keepAlive: false, trace: .newRoot(),
            requestID: RandomIDs.hex(bytes: 8), started: .now)
        return finish(error.response, route: "unmatched", context: context)
    }

    func run(_ route: Router.Route, _ request: HTTPRequest) async -> HTTPResponse {
        do {
            return try await TraceContext.$current.withValue(request.trace) {
                try await route.handler(request)
            }
        } catch let error as HTTPError {
            return error.response
        } catch {
            // The error may carry request data; log only its type (STYLE.md: 500 carries no detail).
            logger.error("handler failed", metadata: [
                "http.route": "\(route.pattern)", "error.type": "\(type(of: error))",
                "request.id": "\(request.requestID)", "trace.id": "\(request.trace.traceID)",
            ])
            return .error(status: 500, code: "internal", message: "internal error")
        }
    }

    struct ResponseContext: Sendable {
        let method: String
        let version: HTTPVersion
        var keepAlive: Bool
        let trace: TraceContext
        let requestID: String
        let started: ContinuousClock.Instant
    }

    func finish(_ response: HTTPResponse, route: String, context: ResponseContext) -> [UInt8] {
        let extra: HTTPHeaders = ["traceparent": context.trace.traceparent, "X-Request-Id": context.requestID]
        let bytes = HTTPResponseWriter.serialize(
            response, keepAlive: context.keepAlive, version: context.version,
            omitBody: context.method == "HEAD", extraHeaders: extra)
        let duration = ContinuousClock.now - context.started
        logger.info("request", metadata: [
            "http.method": "\(context.method)", "http.route": "\(route)", "http.status": "\(response.status)",
            "duration_ms": "\(duration.logMilliseconds)", "request.id": "\(context.requestID)",
            "trace.id": "\(context.trace.traceID)",
        ])
        observer?.requestCompleted(method: context.method, route: route, status: response.status, duration: duration)
        return bytes
    }

    /// An incoming `X-Request-Id` is kept when it is 1-128 characters of `[A-Za-z0-9._:/+=@-]`,
    /// so it cannot inject into logs or headers.
    static func validRequestID(_ value: String) -> String? {
        guard !value.isEmpty, value.utf8.count <= 128 else { return nil }
        let ok = value.utf8.allSatisfy { c in
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "A")...UInt8(ascii: "Z"):
                return true
            default:
                return "._:/+=@-".utf8.contains(c)
            }
        }
        return ok ? value : nil
    }
}

import Foundation

/// Settings of an `HTTPServer`; every field states its default.
public struct HTTPServerConfiguration: Sendable {
    /// Address to bind, IPv4 dotted quad. Default `"0.0.0.0"`.
    public var host: String = "0.0.0.0"
    /// Port to bind; 0 picks an ephemeral port (read it from `start()`). Default 0.
    public var port: Int = 0
    /// Listen backlog. Default 1024.
    public var backlog: Int = 1024
    /// Longest request line in bytes; longer gets 414. Default 8192.
    public var maxRequestLineBytes: Int = 8192
    /// Largest header block in bytes; larger gets 431. Default 65536.
    public var maxHeaderBytes: Int = 65536
    /// Most header fields per request; more gets 431. Default 100.
    public var maxHeaderCount: Int = 100
    /// Body limit for routes without their own; larger gets 413 before the body is read. Default 1 MiB.
    public var defaultBodyLimit: Int = 1 << 20
    /// Time allowed from the first byte of a request (or from accept) to the end of its head;
    /// slower clients get 408 and are closed (slowloris). Default 10 s.
    public var headerReadTimeout: Duration = .seconds(10)
    /// Time allowed to receive a whole body once the head is in; slower gets 408 and close. Default 30 s.
    public var bodyReadTimeout: Duration = .seconds(30)
    /// How long a keep-alive connection may sit between requests before it is closed. Default 60 s.
    public var idleTimeout: Duration = .seconds(60)
    /// How long a response may wait for the client to read it before the connection is closed. Default 30 s.
    public var writeTimeout: Duration = .seconds(30)
    /// Most open connections; one more is answered 503 and closed while the rest are served. Default 10000.
    public var maxConnections: Int = 10_000
    /// How long `shutdown()` waits for in-flight requests before closing everything. Default 10 s.
    public var drainTimeout: Duration = .seconds(10)
    /// Reactor threads, each with its own epoll instance and listening socket (`SO_REUSEPORT`: the
    /// kernel spreads connections across them). Default: the number of active processors.
    public var reactorThreads: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Where handler tasks run. Default `.reactorThread`.
    public var handlerExecution: HandlerExecution = .reactorThread

    /// Where handler tasks run.
    public enum HandlerExecution: Sendable, Equatable {
        /// On the reactor thread (a `TaskExecutor` preference): no thread hand-off per request, the
        /// fastest for short handlers. A handler that computes for long delays every connection
        /// while it runs; awaiting (database, HTTP calls, sleeps) does not.
        case reactorThread
        /// On Swift's global concurrent executor; each response is handed back to the reactor
        /// through the inbox. Long computations then delay only their own request.
        case globalPool
    }

    /// Creates a configuration with the defaults above.
    public init() {}

    /// Creates a configuration with the given host and port and the defaults above.
    public init(host: String = "0.0.0.0", port: Int) {
        self.host = host
        self.port = port
    }

    /// The parser limits implied by this configuration.
    public var parserLimits: HTTPRequestParser.Limits {
        HTTPRequestParser.Limits(
            maxRequestLineBytes: maxRequestLineBytes, maxHeaderBytes: maxHeaderBytes,
            maxHeaderCount: maxHeaderCount, defaultBodyLimit: defaultBodyLimit)
    }
}

/// Receives server events; RunwayKit's metrics implement it. Calls come from the reactor thread and
/// from handler tasks, so implementations must be cheap and thread-safe.
public protocol HTTPServerObserver: Sendable {
    /// One request was answered. `route` is the matched pattern, or `"unmatched"`.
    func requestCompleted(method: String, route: String, status: Int, duration: Duration)
    /// The number of open connections changed.
    func connectionsChanged(open: Int)
}

import Dispatch
import Foundation
import HTTP
import Logging

/// Runs a service: serves its router until SIGTERM or SIGINT, runs its background loops
/// alongside, then drains in-flight requests and stops cleanly.
public enum ServiceRunner {
    /// Serves until a termination signal and returns the process exit code (0 after a clean stop,
    /// 1 when the listener could not start).
    ///
    /// When `RUNWAY_PORT_FILE` is set in `environment`, the bound port is written there (tests and
    /// the demo start services on port 0 and read it back).
    public static func run(
        name: String,
        config: CommonConfig,
        router: Router,
        metrics: MetricsRegistry,
        logger: Logger,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        background: [@Sendable () async -> Void] = [],
        onShutdown: @escaping @Sendable () async -> Void = {}
    ) async -> Int32 {
        var serverConfig = HTTPServerConfiguration()
        serverConfig.host = config.httpHost
        serverConfig.port = config.httpPort
        serverConfig.drainTimeout = config.drainTimeout
        let server = HTTPServer(configuration: serverConfig, router: router, logger: logger, observer: HTTPMetrics(metrics))
        let port: Int
        do {
            port = try server.start()
        } catch {
            logger.critical("cannot listen", metadata: ["http.host": "\(config.httpHost)", "http.port": "\(config.httpPort)", "error": "\(error)"])
            return 1
        }
        if let path = environment["RUNWAY_PORT_FILE"], !path.isEmpty {
            try? "\(port)\n".write(toFile: path, atomically: true, encoding: .utf8)
        }
        logger.info("\(name) listening", metadata: ["http.host": "\(config.httpHost)", "http.port": "\(port)"])

        let signals = SignalWaiter([SIGTERM, SIGINT])
        await withTaskGroup(of: Void.self) { group in
            for job in background {
                group.addTask { await job() }
            }
            let signal = await signals.wait()
            logger.info("\(name) stopping", metadata: ["signal": "\(signal)"])
            group.cancelAll()
            await server.shutdown()
            await onShutdown()
        }
        logger.info("\(name) stopped")
        return 0
    }
}

/// Waits for the first of a set of signals, delivered through Dispatch (never in a signal handler).
final class SignalWaiter: Sendable {
    private let stream: AsyncStream<Int32>
    // Safety: the sources are created once in init and only cancelled in deinit.
    nonisolated(unsafe) private var sources: [DispatchSourceSignal] = []

    init(_ signals: [Int32]) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        self.stream = stream
        for sig in signals {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { continuation.yield(sig) }
            source.resume()
            sources.append(source)
        }
    }

    func wait() async -> Int32 {
        for await sig in stream { return sig }
        return SIGTERM
    }

    deinit {
        for source in sources { source.cancel() }
    }
}

/// Feeds the HTTP server's per-request callbacks into the metrics registry.
struct HTTPMetrics: HTTPServerObserver {
    let metrics: MetricsRegistry
    let open: Gauge

    init(_ metrics: MetricsRegistry) {
        self.metrics = metrics
        self.open = metrics.gauge("runway_http_open_connections", help: "Open HTTP connections.")
    }

    func requestCompleted(method: String, route: String, status: Int, duration: Duration) {
        metrics.counter(
            "runway_http_requests_total", help: "HTTP requests served by route, method and status.",
            labels: ["route": route, "method": method, "status": String(status)]
        ).inc()
        metrics.histogram(
            "runway_http_request_duration_seconds", help: "HTTP request latency by route.", labels: ["route": route]
        ).observe(duration)
    }

    func connectionsChanged(open: Int) {
        self.open.set(Double(open))
    }
}

import HTTP
import HTTPClient
import Logging
import RunwayKit

/// Pokes the Publisher (`POST /v1/notify`) after a commit, without ever delaying the webhook's
/// answer: pokes are coalesced (a burst becomes one call in flight plus at most one queued) and
/// sent by a background loop with a short timeout. Failures are logged and counted; the
/// Publisher's own timer picks the job up anyway.
public final class PublisherNotifier: Sendable {
    private let stream: AsyncStream<Int64?>
    private let continuation: AsyncStream<Int64?>.Continuation
    private let url: String?
    private let token: String?
    private let transport: any HTTPTransport
    private let timeout: Duration
    private let metrics: ProducerMetrics
    private let logger: Logger

    /// - Parameter publisherURL: base URL; nil disables notifications (the timer alone drives dispatch).
    public init(publisherURL: String?, token: String?, transport: any HTTPTransport, timeout: Duration = .seconds(1),
                metrics: ProducerMetrics, logger: Logger) {
        // Newest-only buffer of one: while a call is in flight, any number of pokes collapse into one.
        (stream, continuation) = AsyncStream.makeStream(of: Int64?.self, bufferingPolicy: .bufferingNewest(1))
        self.url = publisherURL.map { $0 + "/v1/notify" }
        self.token = token
        self.transport = transport
        self.timeout = timeout
        self.metrics = metrics
        self.logger = logger
    }

    /// Asks for a wake-up; returns immediately.
    public func poke(jobID: Int64?) {
        guard url != nil else { return }
        continuation.yield(jobID)
    }

    /// Sends queued pokes until cancelled.
    public func run() async {
        guard let url else { return }
        for await jobID in stream {
            if Task.isCancelled { break }
            await send(url: url, jobID: jobID)
        }
    }

    /// Stops the loop.
    public func finish() {
        continuation.finish()
    }

    private func send(url: String, jobID: Int64?) async {
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        if let token { headers.set("Authorization", InternalAuth.headerValue(token)) }
        let body = jobID.map { #"{"reason":"webhook","job_id":\#($0)}"# } ?? #"{"reason":"webhook"}"#
        let request = ClientRequest(method: "POST", url: url, headers: headers, body: Array(body.utf8),
                                    timeout: timeout, connectTimeout: timeout)
        do {
            let response = try await transport.execute(request)
            if response.status == 202 || response.status == 200 {
                metrics.notifySent.inc()
            } else {
                metrics.notifyFailures.inc()
                logger.warning("publisher notify refused", metadata: ["http.status": "\(response.status)"])
            }
        } catch {
            metrics.notifyFailures.inc()
            logger.warning("publisher notify failed", metadata: ["error": "\(error)"])
        }
    }
}

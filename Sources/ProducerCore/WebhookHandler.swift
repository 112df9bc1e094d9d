import Foundation
import GitHub
import HTTP
import JobStore
import Logging
import Postgres
import RunwayKit

/// `POST /webhook`: verifies a GitHub delivery, records it durably, then acknowledges it.
///
/// Order matters: signature → headers → content type → payload → route → durable record → 2xx →
/// Publisher poke. Nothing is acknowledged that was not committed: a database failure answers 503,
/// GitHub marks the delivery failed, and the redelivery sweep asks for it again.
public struct WebhookHandler: Sendable {
    let verifier: WebhookVerifier
    let store: any WebhookStore
    let pools: PoolsConfig
    let notifier: PublisherNotifier
    let metrics: ProducerMetrics
    let logger: Logger

    public init(verifier: WebhookVerifier, store: any WebhookStore, pools: PoolsConfig, notifier: PublisherNotifier,
                metrics: ProducerMetrics, logger: Logger) {
        self.verifier = verifier
        self.store = store
        self.pools = pools
        self.notifier = notifier
        self.metrics = metrics
        self.logger = logger
    }

    /// Handles one delivery; never throws (every failure is an HTTP answer).
    public func handle(_ request: HTTPRequest) async -> HTTPResponse {
        let started = ContinuousClock.now
        let event = request.headers["X-GitHub-Event"] ?? ""
        let delivery = request.headers["X-GitHub-Delivery"] ?? ""
        var log = logger
        log[metadataKey: "github.delivery"] = "\(delivery)"
        log[metadataKey: "github.event"] = "\(event)"
        log[metadataKey: "trace.id"] = "\(request.trace.traceID)"
        do {
            try verifier.verify(body: request.body, signature256: request.headers["X-Hub-Signature-256"],
                                signatureSHA1: request.headers["X-Hub-Signature"])
        } catch {
            metrics.signatureFailures.inc()
            metrics.delivery(event: event, outcome: "unauthorized")
            log.notice("webhook signature refused", metadata: ["reason": "\(error)"])
            return HTTPError.unauthorized.response
        }
        let response: HTTPResponse
        do {
            response = try await process(request, event: event, delivery: delivery, logger: log)
        } catch let error as HTTPError {
            metrics.delivery(event: event, outcome: error.status == 503 ? "unavailable" : "invalid")
            if error.status >= 500 {
                log.error("webhook not recorded", metadata: ["error": "\(error.message)"])
            } else {
                log.notice("webhook refused", metadata: ["http.status": "\(error.status)", "error": "\(error.message)"])
            }
            response = error.response
        } catch {
            metrics.delivery(event: event, outcome: "error")
            log.error("webhook failed", metadata: ["error": "\(error)"])
            response = .error(status: 500, code: "internal", message: "internal error")
        }
        if event == "workflow_job" { metrics.ackLatency.observe(ContinuousClock.now - started) }
        return response
    }

    private func process(_ request: HTTPRequest, event: String, delivery: String, logger: Logger) async throws -> HTTPResponse {
        guard !event.isEmpty else { throw HTTPError.badRequest("X-GitHub-Event header is missing", code: "missing_header") }
        guard Self.isValidDeliveryID(delivery) else {
            throw HTTPError.badRequest("X-GitHub-Delivery header is missing or malformed", code: "missing_header")
        }
        let payload = try WebhookBody.json(of: request)
        switch event {
        case "workflow_job":
            return try await workflowJob(payload, delivery: delivery, trace: request.trace, logger: logger)
        case "ping":
            _ = try? await store.recordIgnoredDelivery(deliveryID: delivery, event: event, action: nil, outcome: "ping")
            metrics.delivery(event: event, outcome: "pong")
            return .json(["status": "pong"])
        default:
            // Recording is best effort: the event is not ours, so nothing is lost if the database is down.
            let action = WebhookBody.action(of: payload)
            _ = try? await store.recordIgnoredDelivery(deliveryID: delivery, event: event, action: action, outcome: "ignored_event")
            metrics.delivery(event: event, outcome: "ignored")
            return .json(["status": "ignored"], status: 202)
        }
    }

    private func workflowJob(_ payload: [UInt8], delivery: String, trace: TraceContext, logger: Logger) async throws -> HTTPResponse {
        let github = try WebhookBody.decodeWorkflowJob(payload)
        var log = logger
        log[metadataKey: "job.id"] = "\(github.workflowJob.id)"
        let route = pools.route(labels: github.workflowJob.labels)
        if case .ignored = route {
            // Durable like every workflow_job delivery: a 2xx always means "recorded", so the
            // redelivery sweep never has to guess which acknowledged deliveries it can skip.
            do {
                _ = try await store.recordIgnoredDelivery(deliveryID: delivery, event: "workflow_job",
                                                          action: github.action.rawValue, outcome: "ignored_github_hosted")
            } catch let error as PostgresError {
                log.error("database unavailable; delivery not acknowledged", metadata: ["error": "\(error)"])
                throw HTTPError(status: 503, code: "unavailable", message: "database unavailable; retry later",
                                headers: ["Retry-After": "5"])
            }
            metrics.delivery(event: "workflow_job", outcome: "ignored")
            return .json(AckBody(jobID: github.workflowJob.id, status: "ignored"), status: 202)
        }
        var event = try WebhookBody.storeEvent(from: github, delivery: delivery, route: route)
        event.traceparent = trace.traceparent
        let commitStarted = ContinuousClock.now
        let outcome: RecordResult
        do {
            outcome = try await store.recordDelivery(event)
        } catch let error as JobStoreError where error.code == .invalidEvent {
            throw HTTPError.badRequest(error.message, code: "invalid_payload")
        } catch let error as PostgresError {
            log.error("database unavailable; delivery not acknowledged", metadata: ["error": "\(error)"])
            throw HTTPError(status: 503, code: "unavailable", message: "database unavailable; retry later",
                            headers: ["Retry-After": "5"])
        }
        metrics.commitLatency.observe(ContinuousClock.now - commitStarted)
        switch outcome {
        case .recorded(let jobID, let status, let dispatchState, let pool):
            if case .unroutable(let reason) = route {
                metrics.unroutable.inc()
                log.warning("job is unroutable: no pool serves its labels", metadata: ["reason": "\(reason)"])
            }
            metrics.delivery(event: "workflow_job", outcome: "recorded")
            notifier.poke(jobID: jobID)
            log.info("delivery recorded", metadata: [
                "github.action": "\(github.action.rawValue)", "job.status": "\(status)",
                "job.dispatch_state": "\(dispatchState)", "pool.name": "\(pool ?? "-")",
            ])
            return .json(AckBody(jobID: jobID, status: status, dispatchState: dispatchState), status: 202)
        case .duplicate(let jobID):
            metrics.delivery(event: "workflow_job", outcome: "duplicate")
            return .json(AckBody(jobID: jobID, status: "duplicate"), status: 200)
        }
    }

    /// GitHub delivery ids are GUIDs; accept any short token of safe characters.
    static func isValidDeliveryID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 100
            && id.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 || $0 == 95 }
    }

    /// `{"job_id": N, "status": "..."}`.
    struct AckBody: Encodable {
        var jobID: Int64
        var status: String
        var dispatchState: String?

        enum CodingKeys: String, CodingKey {
            case jobID = "job_id", status, dispatchState = "dispatch_state"
        }
    }
}

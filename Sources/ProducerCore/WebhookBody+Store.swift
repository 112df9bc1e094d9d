import HTTP
import JobStore
import RunwayKit

extension WebhookBody {
    /// Maps GitHub's payload and the routing decision to the store's event.
    static func storeEvent(from github: GitHubJobEvent, delivery: String, route: RouteDecision) throws(HTTPError) -> StoreJobEvent {
        let job = github.workflowJob
        let status: GitHubStatus
        switch job.status.progressRank {
        case 0: status = .waiting
        case 1: status = .queued
        case 2: status = .inProgress
        case 3: status = .completed
        default: throw .badRequest("unknown workflow_job status '\(String(job.status.rawValue.prefix(40)))'", code: "invalid_payload")
        }
        var pool: String?
        var reason: String?
        switch route {
        case .pool(let p): pool = p.name
        case .unroutable(let why): reason = why
        case .ignored: reason = "ignored"
        }
        return StoreJobEvent(
            deliveryID: delivery, event: "workflow_job", action: github.action.rawValue, jobID: job.id, runID: job.runID,
            runAttempt: job.runAttempt, repository: github.repository.fullName,
            owner: github.organization?.login ?? github.repository.owner.login,
            installationID: github.installation?.id, labels: job.labels, status: status,
            conclusion: job.conclusion?.rawValue, runnerName: job.runnerName, pool: pool, unroutableReason: reason,
            createdAt: job.createdAt, startedAt: job.startedAt, completedAt: job.completedAt)
    }
}

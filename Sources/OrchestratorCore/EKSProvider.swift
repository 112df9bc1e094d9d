import Logging
import RunwayKit

/// Runners as pods on EKS clusters: a pod named after the runner plus a secret it owns.
///
/// Idempotency: the pod name is the runner name, so a repeated create answers 409 AlreadyExists,
/// which is treated as "already there". A launch interrupted after the pod and before the secret is
/// found incomplete by `find` and completed by the next identical call.
public struct EKSProvider: RunnerProvider {
    let clusters: [String: any KubernetesAPI]
    let budget: RetryBudget
    let logger: Logger

    /// Creates a provider; `clusters` maps each EKS cluster name of the served pools to its API.
    public init(clusters: [String: any KubernetesAPI], budget: RetryBudget = RetryBudget(), logger: Logger) {
        self.clusters = clusters
        self.budget = budget
        self.logger = logger
    }

    func api(_ pool: Pool) throws(OrchestratorError) -> (any KubernetesAPI, EKSPoolSettings) {
        guard let settings = pool.eks, let api = clusters[settings.cluster] else {
            throw OrchestratorError(.internal, code: "config", message: "pool \(pool.name) has no EKS cluster client")
        }
        return (api, settings)
    }

    public func find(runnerName: String, pool: Pool) async throws(OrchestratorError) -> FoundRunner? {
        let (api, settings) = try api(pool)
        guard let pod = try await call({ try await api.getPod(namespace: settings.namespace, name: runnerName) }) else {
            return nil
        }
        let complete = try await call({ try await api.secretExists(namespace: settings.namespace, name: runnerName) })
        var tags: [String: String] = [:]
        for (key, value) in pod.annotations where key.hasPrefix("runway/") {
            tags["runway:" + key.dropFirst("runway/".count)] = value
        }
        return FoundRunner(
            info: Self.info(pod, pool: pool.name), target: RunnerTags.target(from: tags, pool: pool),
            complete: complete, detail: ["namespace": settings.namespace, "image": settings.image])
    }

    public func launch(_ spec: LaunchSpec) async throws(OrchestratorError) -> LaunchedRunner {
        let (api, settings) = try api(spec.pool)
        let manifest = EKSPodBuilder.pod(for: spec, settings: settings)
        let pod: PodSummary
        do {
            pod = try await call({ try await api.createPod(manifest) })
        } catch let error where error.code == "AlreadyExists" {
            guard let existing = try await call({ try await api.getPod(namespace: settings.namespace, name: spec.runnerName) }) else {
                throw OrchestratorError(.unavailable, code: "pod_deleting", message: "the runner pod is being replaced", retryAfter: 5)
            }
            pod = existing
        }
        let secret = EKSPodBuilder.secret(for: spec, settings: settings, owner: pod)
        do {
            try await call({ try await api.createSecret(secret) })
        } catch let error where error.code == "AlreadyExists" {
            // Created by an earlier, interrupted call: the pod already references it.
        }
        logger.info("launched runner pod", metadata: [
            "runner.name": "\(spec.runnerName)", "pool.name": "\(spec.pool.name)", "k8s.namespace": "\(settings.namespace)",
        ])
        return LaunchedRunner(
            providerID: "\(settings.namespace)/\(spec.runnerName)", detail: ["namespace": settings.namespace, "image": settings.image])
    }

    public func terminate(runnerName: String, pool: Pool) async throws(OrchestratorError) -> Bool {
        let (api, settings) = try api(pool)
        let pod = try await call({ try await api.deletePod(namespace: settings.namespace, name: runnerName) })
        // The owner reference would collect it too; deleting now removes the JIT config at once.
        let secret = try await call({ try await api.deleteSecret(namespace: settings.namespace, name: runnerName) })
        if pod || secret {
            logger.info("deleted runner pod", metadata: ["runner.name": "\(runnerName)", "k8s.namespace": "\(settings.namespace)"])
        }
        return pod || secret
    }

    public func list(pool: Pool) async throws(OrchestratorError) -> [RunnerInfo] {
        let (api, settings) = try api(pool)
        let pods = try await call({
            try await api.listPods(namespace: settings.namespace, labelSelector: EKSPodBuilder.poolSelector(pool.name))
        })
        return pods.map { Self.info($0, pool: pool.name) }.sorted { $0.runnerName < $1.runnerName }
    }

    /// Finished pods are still listed (state `terminated`) until torn down.
    static func info(_ pod: PodSummary, pool: String) -> RunnerInfo {
        let state: String
        if pod.deleting {
            state = "stopping"
        } else {
            switch pod.phase {
            case "Running": state = "running"
            case "Succeeded", "Failed": state = "terminated"
            default: state = "pending"
            }
        }
        return RunnerInfo(
            runnerName: pod.name, providerID: "\(pod.namespace)/\(pod.name)", pool: pool, state: state, launchedAt: pod.createdAt)
    }

    /// One Kubernetes call with 429/5xx retried within the budget; others become `rejected` with
    /// the `Status` reason as code (AlreadyExists is left to the caller).
    func call<T: Sendable>(_ body: () async throws -> T) async throws(OrchestratorError) -> T {
        try await budget.run { () async throws(OrchestratorError) in
            do {
                return .done(try await body())
            } catch {
                let e = (error as? KubernetesCallError) ?? KubernetesCallError(status: 0, reason: "Unreachable", message: "cluster API unreachable")
                if e.transient {
                    return .retry(OrchestratorError(
                        .unavailable, code: e.reason, message: "Kubernetes: \(e.message)", retryAfter: e.retryAfter ?? 5,
                        nothingLaunched: e.status == 429))
                }
                let code = e.alreadyExists ? "AlreadyExists" : e.reason
                throw OrchestratorError(.rejected, code: code, message: "Kubernetes refused (\(e.status)): \(e.message)")
            }
        }
    }
}

import AWS
import Foundation
import Kubernetes

/// `KubernetesAPI` over the Kubernetes module's client for one EKS cluster. The client (endpoint
/// and CA from DescribeCluster) is resolved on first use and cached, so the Orchestrator starts
/// while a cluster is briefly unreachable and `/readyz` says so.
public final class KubernetesAdapter: KubernetesAPI {
    let resolver: ClientResolver

    /// Creates the adapter; `connect` builds the client (e.g. `KubernetesClient.forEKS`).
    public init(connect: @escaping @Sendable () async throws -> KubernetesClient) {
        resolver = ClientResolver(connect: connect)
    }

    public func createPod(_ pod: PodManifest) async throws -> PodSummary {
        let client = try await resolver.client()
        do {
            return Self.summary(try await client.create(Self.pod(pod), namespace: pod.metadata.namespace))
        } catch {
            throw Self.callError(error)
        }
    }

    public func getPod(namespace: String, name: String) async throws -> PodSummary? {
        let client = try await resolver.client()
        do {
            return Self.summary(try await client.get(Pod.self, name: name, namespace: namespace))
        } catch where error.status == 404 {
            return nil
        } catch {
            throw Self.callError(error)
        }
    }

    public func deletePod(namespace: String, name: String) async throws -> Bool {
        let client = try await resolver.client()
        do {
            return try await client.delete(Pod.self, name: name, namespace: namespace) == .deleted
        } catch {
            throw Self.callError(error)
        }
    }

    public func listPods(namespace: String, labelSelector: String) async throws -> [PodSummary] {
        let client = try await resolver.client()
        do {
            return try await client.listAll(Pod.self, namespace: namespace, labelSelector: labelSelector).map(Self.summary)
        } catch {
            throw Self.callError(error)
        }
    }

    public func createSecret(_ secret: SecretManifest) async throws {
        let client = try await resolver.client()
        var metadata = ObjectMeta(name: secret.metadata.name, namespace: secret.metadata.namespace, labels: secret.metadata.labels)
        metadata.ownerReferences = secret.metadata.ownerReferences?.map {
            Kubernetes.OwnerReference(apiVersion: $0.apiVersion, kind: $0.kind, name: $0.name, uid: $0.uid)
        }
        let object = Secret(metadata: metadata, values: secret.stringData.mapValues { Array($0.utf8) }, immutable: secret.immutable)
        do {
            _ = try await client.create(SecretHead(creating: object), namespace: secret.metadata.namespace)
        } catch {
            throw Self.callError(error)
        }
    }

    public func secretExists(namespace: String, name: String) async throws -> Bool {
        let client = try await resolver.client()
        do {
            _ = try await client.get(SecretHead.self, name: name, namespace: namespace)
            return true
        } catch where error.status == 404 {
            return false
        } catch {
            throw Self.callError(error)
        }
    }

    public func deleteSecret(namespace: String, name: String) async throws -> Bool {
        let client = try await resolver.client()
        do {
            return try await client.delete(SecretHead.self, name: name, namespace: namespace) == .deleted
        } catch {
            throw Self.callError(error)
        }
    }

    public func probe(namespace: String) async -> String? {
        do {
            let client = try await resolver.client()
            _ = try await client.list(Pod.self, namespace: namespace, limit: 1)
            return nil
        } catch let error as KubernetesCallError {
            return "\(error.reason) (\(error.status))"
        } catch let error as KubernetesError {
            return "\(error.reason.rawValue) (\(error.status.map(String.init) ?? "-"))"
        } catch {
            return "unreachable"
        }
    }

    /// The module's Pod for exactly the fields of `manifest`.
    static func pod(_ manifest: PodManifest) -> Pod {
        var metadata = ObjectMeta(
            name: manifest.metadata.name, namespace: manifest.metadata.namespace, labels: manifest.metadata.labels,
            annotations: manifest.metadata.annotations)
        metadata.ownerReferences = nil
        let containers = manifest.spec.containers.map { c in
            Container(
                name: c.name, image: c.image, command: c.command,
                env: c.env.map { EnvVar(name: $0.name, secret: $0.valueFrom.secretKeyRef.name, key: $0.valueFrom.secretKeyRef.key) },
                resources: c.resources.map { ResourceRequirements(requests: $0.requests, limits: $0.limits) })
        }
        var spec = PodSpec(
            containers: containers, restartPolicy: manifest.spec.restartPolicy,
            activeDeadlineSeconds: manifest.spec.activeDeadlineSeconds,
            terminationGracePeriodSeconds: manifest.spec.terminationGracePeriodSeconds,
            automountServiceAccountToken: manifest.spec.automountServiceAccountToken)
        spec.serviceAccountName = manifest.spec.serviceAccountName
        spec.nodeSelector = manifest.spec.nodeSelector
        spec.tolerations = manifest.spec.tolerations?.map {
            Toleration(key: $0.key, operator: $0.operator, value: $0.value, effect: $0.effect, tolerationSeconds: $0.tolerationSeconds)
        }
        return Pod(metadata: metadata, spec: spec)
    }

    static func summary(_ pod: Pod) -> PodSummary {
        PodSummary(
            name: pod.metadata.name ?? "", namespace: pod.metadata.namespace ?? "", uid: pod.metadata.uid ?? "",
            phase: pod.status?.phase, createdAt: pod.metadata.creationTimestamp.flatMap(Self.date),
            deleting: pod.metadata.deletionTimestamp != nil, labels: pod.metadata.labels ?? [:],
            annotations: pod.metadata.annotations ?? [:])
    }

    static func date(_ text: String) -> Date? {
        try? Date(text, strategy: .iso8601)
    }

    static func callError(_ error: KubernetesError) -> KubernetesCallError {
        KubernetesCallError(
            status: error.status ?? 0, reason: error.reason.rawValue, message: error.message,
            retryAfter: error.retryAfter.map { max(1, Int($0.components.seconds)) })
    }
}

/// A secret seen through its metadata only: reading it never holds the JIT config in memory.
struct SecretHead: KubernetesResource {
    static let plural = "secrets"
    var metadata: ObjectMeta
    private var creating: Secret?

    init(creating secret: Secret) {
        metadata = secret.metadata
        creating = secret
    }

    enum CodingKeys: String, CodingKey { case metadata }

    init(from decoder: any Decoder) throws {
        metadata = try decoder.container(keyedBy: CodingKeys.self).decode(ObjectMeta.self, forKey: .metadata)
    }

    func encode(to encoder: any Encoder) throws {
        if let creating { try creating.encode(to: encoder) } else {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(metadata, forKey: .metadata)
        }
    }
}

/// Builds the cluster client once (single-flight), retrying on the next call after a failure.
actor ClientResolver {
    private let connect: @Sendable () async throws -> KubernetesClient
    private var resolved: KubernetesClient?
    private var pending: Task<KubernetesClient, any Error>?

    init(connect: @escaping @Sendable () async throws -> KubernetesClient) {
        self.connect = connect
    }

    func client() async throws -> KubernetesClient {
        if let resolved { return resolved }
        let task = pending ?? Task { try await connect() }
        pending = task
        do {
            let client = try await task.value
            resolved = client
            pending = nil
            return client
        } catch {
            pending = nil
            let aws = error as? AWSError
            throw KubernetesCallError(
                status: aws.map { $0.retryable ? 503 : ($0.status ?? 400) } ?? 0, reason: aws?.code.rawValue ?? "Unreachable",
                message: "cluster unavailable: \(aws?.message ?? "connection failed")")
        }
    }
}

import Foundation

/// The consumer-owned seam over the Kubernetes module's client for one cluster: pods and secrets.
/// Methods throw `KubernetesCallError`; anything else thrown is treated as a transient failure.
public protocol KubernetesAPI: Sendable {
    /// Creates a pod; 409 AlreadyExists is thrown as a `KubernetesCallError`.
    func createPod(_ pod: PodManifest) async throws -> PodSummary
    /// The pod, or nil when it does not exist.
    func getPod(namespace: String, name: String) async throws -> PodSummary?
    /// Deletes the pod; false when it did not exist.
    func deletePod(namespace: String, name: String) async throws -> Bool
    /// Pods matching a label selector (`k=v,k2=v2`), all pages.
    func listPods(namespace: String, labelSelector: String) async throws -> [PodSummary]
    /// Creates a secret; 409 AlreadyExists is thrown as a `KubernetesCallError`.
    func createSecret(_ secret: SecretManifest) async throws
    /// Whether the secret exists (its data is not read).
    func secretExists(namespace: String, name: String) async throws -> Bool
    /// Deletes the secret; false when it did not exist.
    func deleteSecret(namespace: String, name: String) async throws -> Bool
    /// Any cheap authenticated call (readiness): nil when the API answers, else the problem.
    func probe(namespace: String) async -> String?
}

/// What the Orchestrator reads back from a pod.
public struct PodSummary: Sendable, Equatable {
    /// Name.
    public var name: String
    /// Namespace.
    public var namespace: String
    /// `metadata.uid` (owner reference of the secret).
    public var uid: String
    /// `status.phase`: `Pending`, `Running`, `Succeeded`, `Failed`, `Unknown`.
    public var phase: String?
    /// `metadata.creationTimestamp`.
    public var createdAt: Date?
    /// Set when the pod is being deleted.
    public var deleting: Bool
    /// Labels.
    public var labels: [String: String]
    /// Annotations.
    public var annotations: [String: String]

    /// Creates a summary.
    public init(
        name: String, namespace: String, uid: String, phase: String? = nil, createdAt: Date? = nil,
        deleting: Bool = false, labels: [String: String] = [:], annotations: [String: String] = [:]
    ) {
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.phase = phase
        self.createdAt = createdAt
        self.deleting = deleting
        self.labels = labels
        self.annotations = annotations
    }
}

/// A Kubernetes API failure: the HTTP status and the `Status` reason.
public struct KubernetesCallError: Error, Sendable, Equatable, CustomStringConvertible {
    /// HTTP status (0 when no response came).
    public var status: Int
    /// `Status.reason`, e.g. `AlreadyExists`, `Invalid`, `Forbidden`.
    public var reason: String
    /// `Status.message` (safe: the API server does not echo secret data).
    public var message: String
    /// Seconds from `Retry-After` (429).
    public var retryAfter: Int?

    /// Creates an error.
    public init(status: Int, reason: String, message: String, retryAfter: Int? = nil) {
        self.status = status
        self.reason = reason
        self.message = message
        self.retryAfter = retryAfter
    }

    /// `status reason: message`.
    public var description: String { "\(status) \(reason): \(message)" }

    /// True for 409 AlreadyExists.
    public var alreadyExists: Bool { status == 409 }
    /// True for 429, 5xx and transport failures.
    public var transient: Bool { status == 0 || status == 429 || status >= 500 }
}

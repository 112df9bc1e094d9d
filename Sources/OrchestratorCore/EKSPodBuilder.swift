import RunwayKit

/// Builds the pod and secret of one EKS runner.
///
/// The pod is created first and references the secret through `secretKeyRef`; the secret is then
/// created with an owner reference to the pod's uid, so it is garbage-collected with the pod. Until
/// the secret exists the kubelet reports `CreateContainerConfigError` and retries, so the runner
/// starts as soon as the secret is there.
public enum EKSPodBuilder {
    /// Key of the JIT config in the secret.
    public static let secretKey = "jitconfig"
    /// The runner command of the official image (it has no entrypoint).
    public static let command = ["/home/runner/run.sh"]
    /// Label/annotation keys (Kubernetes keys cannot contain `:`).
    static let managedBy = "app.kubernetes.io/managed-by"
    static func key(_ tag: String) -> String { tag.replacingOccurrences(of: "runway:", with: "runway/") }

    /// Labels every runner pod of `pool` carries (the list selector).
    static func poolSelector(_ pool: String) -> String { "\(managedBy)=runway,\(key(RunnerTags.pool))=\(pool)" }

    /// The runner pod: named after the runner, never restarted, bounded by `max_lifetime`.
    public static func pod(for spec: LaunchSpec, settings: EKSPoolSettings) -> PodManifest {
        var labels = [managedBy: "runway", key(RunnerTags.pool): spec.pool.name, key(RunnerTags.job): String(spec.jobID)]
        // Label values are at most 63 characters; the pod name always carries the runner name.
        if spec.runnerName.utf8.count <= 63 { labels[key(RunnerTags.runner)] = spec.runnerName }
        var annotations: [String: String] = [:]
        for (tag, value) in RunnerTags.values(for: spec) { annotations[key(tag)] = value }
        let resources = settings.requests.isEmpty && settings.limits.isEmpty
            ? nil
            : PodManifest.Resources(
                requests: settings.requests.isEmpty ? nil : settings.requests,
                limits: settings.limits.isEmpty ? nil : settings.limits)
        let container = PodManifest.Container(
            name: "runner", image: settings.image, command: command,
            env: [PodManifest.EnvVar(
                name: "ACTIONS_RUNNER_INPUT_JITCONFIG",
                valueFrom: .init(secretKeyRef: .init(name: spec.runnerName, key: secretKey)))],
            resources: resources)
        return PodManifest(
            metadata: ManifestMeta(name: spec.runnerName, namespace: settings.namespace, labels: labels, annotations: annotations),
            spec: PodManifest.Spec(
                restartPolicy: "Never",
                activeDeadlineSeconds: max(1, Int(spec.pool.maxLifetime.components.seconds)),
                terminationGracePeriodSeconds: 30,
                automountServiceAccountToken: false,
                serviceAccountName: settings.serviceAccount,
                nodeSelector: settings.nodeSelector.isEmpty ? nil : settings.nodeSelector,
                tolerations: settings.tolerations.isEmpty ? nil : settings.tolerations.map(toleration),
                containers: [container]))
    }

    /// The secret holding the JIT config, owned by the pod `owner`.
    public static func secret(for spec: LaunchSpec, settings: EKSPoolSettings, owner: PodSummary) -> SecretManifest {
        SecretManifest(
            metadata: ManifestMeta(
                name: spec.runnerName, namespace: settings.namespace,
                labels: [managedBy: "runway", key(RunnerTags.pool): spec.pool.name],
                ownerReferences: [OwnerReference(apiVersion: "v1", kind: "Pod", name: owner.name, uid: owner.uid)]),
            stringData: [secretKey: spec.jitConfig.encoded])
    }

    static func toleration(_ map: [String: String]) -> PodManifest.Toleration {
        PodManifest.Toleration(
            key: map["key"], operator: map["operator"], value: map["value"], effect: map["effect"],
            tolerationSeconds: map["tolerationSeconds"].flatMap { Int($0) } ?? map["toleration_seconds"].flatMap { Int($0) })
    }
}

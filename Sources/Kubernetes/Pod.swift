/// A `v1 Pod` (the fields an ephemeral runner pod needs).
public struct Pod: KubernetesResource, Equatable {
    /// `pods`.
    public static let plural = "pods"
    /// Always `v1`.
    public var apiVersion = "v1"
    /// Always `Pod`.
    public var kind = "Pod"
    /// Metadata.
    public var metadata: ObjectMeta
    /// Desired state.
    public var spec: PodSpec?
    /// Observed state (server-filled).
    public var status: PodStatus?

    /// Creates a pod.
    public init(metadata: ObjectMeta, spec: PodSpec) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// `v1 PodSpec` subset.
public struct PodSpec: Codable, Sendable, Equatable {
    /// The containers.
    public var containers: [Container]
    /// `Never` for runners: a restart would replay a spent JIT config.
    public var restartPolicy: String?
    /// Upper bound on the pod's life in seconds.
    public var activeDeadlineSeconds: Int?
    /// Grace period on delete.
    public var terminationGracePeriodSeconds: Int?
    /// false: runners get no Kubernetes API token.
    public var automountServiceAccountToken: Bool?
    /// Service account (for IRSA / Pod Identity of the runner itself).
    public var serviceAccountName: String?
    /// Node selector.
    public var nodeSelector: [String: String]?
    /// Tolerations.
    public var tolerations: [Toleration]?

    /// Creates a spec.
    public init(containers: [Container], restartPolicy: String? = "Never", activeDeadlineSeconds: Int? = nil,
                terminationGracePeriodSeconds: Int? = nil, automountServiceAccountToken: Bool? = false) {
        self.containers = containers
        self.restartPolicy = restartPolicy
        self.activeDeadlineSeconds = activeDeadlineSeconds
        self.terminationGracePeriodSeconds = terminationGracePeriodSeconds
        self.automountServiceAccountToken = automountServiceAccountToken
    }
}

/// `v1 Toleration`.
public struct Toleration: Codable, Sendable, Equatable {
    /// Taint key.
    public var key: String?
    /// `Equal` or `Exists`.
    public var `operator`: String?
    /// Taint value.
    public var value: String?
    /// `NoSchedule`, `PreferNoSchedule`, `NoExecute`.
    public var effect: String?
    /// How long a `NoExecute` taint is tolerated.
    public var tolerationSeconds: Int?

    /// Creates a toleration.
    public init(key: String? = nil, operator: String? = nil, value: String? = nil, effect: String? = nil, tolerationSeconds: Int? = nil) {
        self.key = key
        self.operator = `operator`
        self.value = value
        self.effect = effect
        self.tolerationSeconds = tolerationSeconds
    }
}

/// `v1 Container` subset.
public struct Container: Codable, Sendable, Equatable {
    /// Container name.
    public var name: String
    /// Image reference.
    public var image: String
    /// Entrypoint.
    public var command: [String]?
    /// Arguments.
    public var args: [String]?
    /// Environment.
    public var env: [EnvVar]?
    /// CPU/memory requests and limits.
    public var resources: ResourceRequirements?

    /// Creates a container.
    public init(name: String, image: String, command: [String]? = nil, args: [String]? = nil, env: [EnvVar]? = nil,
                resources: ResourceRequirements? = nil) {
        self.name = name
        self.image = image
        self.command = command
        self.args = args
        self.env = env
        self.resources = resources
    }
}

/// `v1 EnvVar`: a literal value or a reference to a Secret key.
public struct EnvVar: Codable, Sendable, Equatable {
    /// `v1 EnvVarSource` (secret references only).
    public struct Source: Codable, Sendable, Equatable {
        /// `v1 SecretKeySelector`.
        public struct SecretKeyRef: Codable, Sendable, Equatable {
            /// Secret name.
            public var name: String
            /// Key within the secret.
            public var key: String
        }
        /// The referenced secret key.
        public var secretKeyRef: SecretKeyRef?
    }

    /// Variable name.
    public var name: String
    /// Literal value.
    public var value: String?
    /// Reference.
    public var valueFrom: Source?

    /// A literal variable.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// A variable read from `key` of Secret `secret`.
    public init(name: String, secret: String, key: String) {
        self.name = name
        valueFrom = Source(secretKeyRef: .init(name: secret, key: key))
    }
}

/// `v1 ResourceRequirements` (quantities as strings: `"2"`, `"4Gi"`).
public struct ResourceRequirements: Codable, Sendable, Equatable {
    /// Requests.
    public var requests: [String: String]?
    /// Limits.
    public var limits: [String: String]?

    /// Creates requirements.
    public init(requests: [String: String]? = nil, limits: [String: String]? = nil) {
        self.requests = requests
        self.limits = limits
    }
}

/// `v1 PodStatus` subset.
public struct PodStatus: Codable, Sendable, Equatable {
    /// `Pending`, `Running`, `Succeeded`, `Failed`, `Unknown`.
    public var phase: String?
    /// e.g. `DeadlineExceeded`.
    public var reason: String?
    /// Human-readable detail.
    public var message: String?
}

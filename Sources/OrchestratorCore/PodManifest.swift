/// A `v1 Pod` as the Orchestrator creates it (only the fields it sets; nil fields are omitted).
public struct PodManifest: Codable, Sendable, Equatable {
    /// `v1`.
    public var apiVersion = "v1"
    /// `Pod`.
    public var kind = "Pod"
    /// Name, namespace, labels, annotations.
    public var metadata: ManifestMeta
    /// The pod spec.
    public var spec: Spec

    /// `spec` of a runner pod.
    public struct Spec: Codable, Sendable, Equatable {
        /// Always `Never`: a restart would replay a spent JIT config.
        public var restartPolicy: String
        /// The pool's `max_lifetime` in seconds.
        public var activeDeadlineSeconds: Int
        /// Time the runner gets to exit on deletion.
        public var terminationGracePeriodSeconds: Int
        /// Always false: the job gets no Kubernetes credentials.
        public var automountServiceAccountToken: Bool
        /// The pool's service account, if any.
        public var serviceAccountName: String?
        /// The pool's node selector.
        public var nodeSelector: [String: String]?
        /// The pool's tolerations.
        public var tolerations: [Toleration]?
        /// The single `runner` container.
        public var containers: [Container]
    }

    /// A container.
    public struct Container: Codable, Sendable, Equatable {
        /// `runner`.
        public var name: String
        /// The pool's image.
        public var image: String
        /// `["/home/runner/run.sh"]` (the official image has no entrypoint).
        public var command: [String]
        /// `ACTIONS_RUNNER_INPUT_JITCONFIG` from the secret.
        public var env: [EnvVar]
        /// The pool's requests and limits.
        public var resources: Resources?
    }

    /// An environment variable taken from a secret key.
    public struct EnvVar: Codable, Sendable, Equatable {
        /// Variable name.
        public var name: String
        /// Where the value comes from.
        public var valueFrom: ValueFrom

        /// `valueFrom`.
        public struct ValueFrom: Codable, Sendable, Equatable {
            /// The secret key.
            public var secretKeyRef: SecretKeyRef
        }

        /// `secretKeyRef`.
        public struct SecretKeyRef: Codable, Sendable, Equatable {
            /// Secret name.
            public var name: String
            /// Key in the secret.
            public var key: String
        }
    }

    /// `resources`.
    public struct Resources: Codable, Sendable, Equatable {
        /// Requests, e.g. `cpu: "2"`.
        public var requests: [String: String]?
        /// Limits.
        public var limits: [String: String]?
    }

    /// A toleration (`tolerationSeconds` is an integer in the schema).
    public struct Toleration: Codable, Sendable, Equatable {
        /// Taint key.
        public var key: String?
        /// `Exists` or `Equal`.
        public var `operator`: String?
        /// Taint value.
        public var value: String?
        /// `NoSchedule`, `PreferNoSchedule`, `NoExecute`.
        public var effect: String?
        /// For `NoExecute`.
        public var tolerationSeconds: Int?
    }
}

/// `metadata` of the objects the Orchestrator creates.
public struct ManifestMeta: Codable, Sendable, Equatable {
    /// Name.
    public var name: String
    /// Namespace.
    public var namespace: String
    /// Labels.
    public var labels: [String: String]?
    /// Annotations.
    public var annotations: [String: String]?
    /// Owner references (the secret is owned by its pod).
    public var ownerReferences: [OwnerReference]?
}

/// An owner reference: the object is garbage-collected with its owner.
public struct OwnerReference: Codable, Sendable, Equatable {
    /// `v1`.
    public var apiVersion: String
    /// `Pod`.
    public var kind: String
    /// Owner name.
    public var name: String
    /// Owner uid.
    public var uid: String
}

/// A `v1 Secret` holding the JIT config; its `description` never shows the data.
public struct SecretManifest: Codable, Sendable, Equatable, CustomStringConvertible {
    /// `v1`.
    public var apiVersion = "v1"
    /// `Secret`.
    public var kind = "Secret"
    /// Name (= pod name), namespace, labels, owner reference to the pod.
    public var metadata: ManifestMeta
    /// `Opaque`.
    public var type = "Opaque"
    /// True: the JIT config never changes.
    public var immutable = true
    /// `jitconfig` → the encoded JIT config (sent as `stringData`; the API server stores it base64).
    public var stringData: [String: String]

    /// Redacted.
    public var description: String { "Secret(\(metadata.namespace)/\(metadata.name), data: <redacted>)" }
}

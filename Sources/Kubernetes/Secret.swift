import Signing

/// A `v1 Secret` (Opaque), e.g. holding a runner's JIT config.
public struct Secret: KubernetesResource, Equatable {
    /// `secrets`.
    public static let plural = "secrets"
    /// Always `v1`.
    public var apiVersion = "v1"
    /// Always `Secret`.
    public var kind = "Secret"
    /// Metadata.
    public var metadata: ObjectMeta
    /// `Opaque` by default.
    public var type: String?
    /// Values, base64-encoded as the API stores them.
    public var data: [String: String]?
    /// Whether the value can no longer change.
    public var immutable: Bool?

    /// Creates a secret from raw values (encoded to base64 here).
    public init(metadata: ObjectMeta, values: [String: [UInt8]], immutable: Bool? = true) {
        self.metadata = metadata
        type = "Opaque"
        data = values.mapValues { Base64.encode($0) }
        self.immutable = immutable
    }

    /// The decoded value of `key`.
    public func value(_ key: String) -> [UInt8]? {
        data?[key].flatMap { Base64.decode($0) }
    }
}

extension Secret: CustomStringConvertible {
    /// Names the secret and its keys, never the values.
    public var description: String {
        "Secret(\(metadata.namespace ?? "-")/\(metadata.name ?? "-"), keys: \((data ?? [:]).keys.sorted()))"
    }
}

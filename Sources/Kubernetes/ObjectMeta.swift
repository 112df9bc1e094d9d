/// Standard object metadata (the subset Runway reads and writes).
public struct ObjectMeta: Codable, Sendable, Equatable {
    /// Object name (DNS-1123 subdomain).
    public var name: String?
    /// Namespace; filled in by the server when omitted.
    public var namespace: String?
    /// Labels (selectable).
    public var labels: [String: String]?
    /// Annotations.
    public var annotations: [String: String]?
    /// Server-assigned unique id.
    public var uid: String?
    /// Server-assigned version.
    public var resourceVersion: String?
    /// RFC 3339 creation time.
    public var creationTimestamp: String?
    /// RFC 3339 time deletion was requested.
    public var deletionTimestamp: String?
    /// Owners (a runner's Secret is owned by its Pod, so deleting the Pod removes the Secret).
    public var ownerReferences: [OwnerReference]?

    /// Creates metadata.
    public init(name: String? = nil, namespace: String? = nil, labels: [String: String]? = nil, annotations: [String: String]? = nil) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
    }
}

/// `metav1 OwnerReference`.
public struct OwnerReference: Codable, Sendable, Equatable {
    /// Owner's API version, e.g. `v1`.
    public var apiVersion: String
    /// Owner's kind, e.g. `Pod`.
    public var kind: String
    /// Owner's name.
    public var name: String
    /// Owner's uid.
    public var uid: String

    /// Creates a reference.
    public init(apiVersion: String = "v1", kind: String, name: String, uid: String) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
    }
}

/// Metadata of a list (`continue` token for the next page).
public struct ListMeta: Codable, Sendable, Equatable {
    /// Version of the list.
    public var resourceVersion: String?
    /// Token for the next page, absent on the last.
    public var `continue`: String?
}

/// A kind Runway manages in a namespace.
public protocol KubernetesResource: Codable, Sendable {
    /// The URL path segment, e.g. `pods`.
    static var plural: String { get }
    /// The object's metadata.
    var metadata: ObjectMeta { get set }
}

/// `PodList`, `SecretList`, ….
public struct KubernetesList<Item: KubernetesResource>: Decodable, Sendable {
    /// List metadata.
    public var metadata: ListMeta
    /// The objects.
    public var items: [Item]

    enum CodingKeys: String, CodingKey { case metadata, items }

    /// Decodes a list (`items: null` is an empty list).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try c.decodeIfPresent(ListMeta.self, forKey: .metadata) ?? ListMeta()
        items = try c.decodeIfPresent([Item].self, forKey: .items) ?? []
    }
}

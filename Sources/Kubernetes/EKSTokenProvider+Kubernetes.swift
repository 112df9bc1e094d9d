import AWS

extension EKSTokenProvider: KubernetesTokenProvider {}

/// A fixed token (tests, or a static service-account token).
public struct StaticTokenProvider: KubernetesTokenProvider {
    let value: String
    /// Wraps a token.
    public init(_ token: String) { value = token }
    public func token() async throws -> String { value }
    public func invalidate() async {}
}

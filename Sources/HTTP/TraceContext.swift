/// A W3C Trace Context (`traceparent`) for one hop: the trace id shared end to end and this
/// hop's span id.
///
/// Handlers run with `TraceContext.$current` bound to the request's context, so the outbound
/// HTTP client can propagate it without every call site passing it along.
public struct TraceContext: Sendable, Equatable {
    /// 32 lowercase hex digits, never all zero.
    public let traceID: String
    /// 16 lowercase hex digits: this hop's span id (the parent of any outbound call).
    public let spanID: String
    /// Trace flags, `01` when sampled.
    public let flags: String

    /// The task-local context of the request being served, if any.
    @TaskLocal public static var current: TraceContext?

    public init(traceID: String, spanID: String, flags: String = "01") {
        self.traceID = traceID
        self.spanID = spanID
        self.flags = flags
    }

    /// A new trace with random ids.
    public static func newRoot() -> TraceContext {
        TraceContext(traceID: randomHex(bytes: 16), spanID: randomHex(bytes: 8))
    }

    /// Parses a `traceparent` header (version 00 form); nil when malformed, so the caller starts a new trace.
    public init?(traceparent: String) {
        let parts = traceparent.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4,
            parts[0].count == 2, parts[0] != "ff", Self.isHex(parts[0]),
            parts[1].count == 32, Self.isHex(parts[1]), parts[1] != String(repeating: "0", count: 32),
            parts[2].count == 16, Self.isHex(parts[2]), parts[2] != String(repeating: "0", count: 16),
            parts[3].count == 2, Self.isHex(parts[3])
        else { return nil }
        // Version 00 has exactly four fields; later versions may append more (W3C §3.2.4).
        if parts[0] == "00" && parts.count != 4 { return nil }
        self.traceID = String(parts[1])
        self.spanID = String(parts[2])
        self.flags = String(parts[3])
    }

    /// The context for a hop served on behalf of `self`: same trace, new span.
    public func child() -> TraceContext {
        TraceContext(traceID: traceID, spanID: Self.randomHex(bytes: 8), flags: flags)
    }

    /// The `traceparent` header value naming this span as the parent.
    public var traceparent: String { "00-\(traceID)-\(spanID)-\(flags)" }

    private static func isHex(_ s: Substring) -> Bool {
        s.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    static func randomHex(bytes: Int) -> String {
        RandomIDs.hex(bytes: bytes)
    }
}

/// A single-use runner configuration from GitHub's `generate-jitconfig`.
public struct JITConfig: Sendable, Equatable, CustomStringConvertible {
    /// GitHub's id of the new registration (what DELETE needs).
    public var runnerID: Int64
    /// `encoded_jit_config`: contains the runner's private key. Never log it.
    public var encoded: String

    /// Creates a config.
    public init(runnerID: Int64, encoded: String) {
        self.runnerID = runnerID
        self.encoded = encoded
    }

    /// Redacted.
    public var description: String { "JITConfig(runnerID: \(runnerID), encoded: <redacted>)" }
}

/// A runner registration as GitHub lists it.
public struct RegisteredRunner: Sendable, Equatable {
    /// Registration id.
    public var id: Int64
    /// Runner name.
    public var name: String
    /// True while the runner executes a job.
    public var busy: Bool
    /// `online` or `offline`.
    public var status: String

    /// Creates a registration description.
    public init(id: Int64, name: String, busy: Bool, status: String) {
        self.id = id
        self.name = name
        self.busy = busy
        self.status = status
    }
}

/// Why a GitHub call failed, as far as the Orchestrator cares.
public struct JITError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `unavailable`: GitHub down, rate-limited or unreachable (retry later); `rejected`: GitHub
    /// refused the request (bad installation, missing permission, invalid labels).
    public enum Kind: String, Sendable { case unavailable, rejected }
    /// The kind.
    public var kind: Kind
    /// HTTP status when GitHub answered.
    public var status: Int?
    /// Safe to log (GitHub's message, never a token).
    public var message: String
    /// Seconds to wait, when GitHub said (rate limits).
    public var retryAfter: Int?

    /// Creates an error.
    public init(_ kind: Kind, status: Int? = nil, message: String, retryAfter: Int? = nil) {
        self.kind = kind
        self.status = status
        self.message = message
        self.retryAfter = retryAfter
    }

    /// `kind(status): message`.
    public var description: String { "\(kind.rawValue)(\(status.map(String.init) ?? "-")): \(message)" }

    /// The Orchestrator error this maps to at the HTTP edge: GitHub down → 503, refused → 422.
    var orchestratorError: OrchestratorError {
        switch kind {
        case .unavailable:
            OrchestratorError(.unavailable, code: "github_unavailable", message: "GitHub: \(message)", retryAfter: retryAfter ?? 10)
        case .rejected:
            OrchestratorError(.rejected, code: "github_rejected", message: "GitHub refused (\(status.map(String.init) ?? "-")): \(message)")
        }
    }
}

/// The consumer-owned seam over the GitHub App client: JIT configs and runner registrations.
/// Methods throw `JITError`; anything else thrown is treated as "GitHub unavailable".
public protocol JITSource: Sendable {
    /// Generates a JIT config registering `name` with `labels` in `runnerGroupID` at `target`.
    /// A leftover idle registration with the same name is replaced (a retried launch works).
    func generate(name: String, labels: [String], runnerGroupID: Int, target: RunnerTarget) async throws -> JITConfig
    /// The registration named `name` at `target`, or nil.
    func find(name: String, target: RunnerTarget) async throws -> RegisteredRunner?
    /// Deletes registration `id` at `target`; already gone is success.
    func delete(id: Int64, target: RunnerTarget) async throws
}

extension Error {
    /// This error as a `JITError`; unknown errors are "unavailable" (a transport failure).
    var asJITError: JITError {
        (self as? JITError) ?? JITError(.unavailable, message: "GitHub call failed")
    }
}

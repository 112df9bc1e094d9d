import Logging
import RunwayKit

/// The Orchestrator's logic: launch, tear down and list runners of the pools it serves.
public final class RunnerService: Sendable {
    /// The pools served, by name.
    public let pools: [String: Pool]
    let providers: [PoolHost: any RunnerProvider]
    let github: any JITSource
    let flights = SingleFlight<String, Result<LaunchAnswer, OrchestratorError>>()
    let logger: Logger
    let metrics: MetricsRegistry

    /// Creates the service; `providers` must cover the host of every served pool.
    public init(
        pools: [Pool], providers: [PoolHost: any RunnerProvider], github: any JITSource, logger: Logger,
        metrics: MetricsRegistry = MetricsRegistry()
    ) {
        self.pools = Dictionary(pools.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        self.providers = providers
        self.github = github
        self.logger = logger
        self.metrics = metrics
    }

    /// Launches the runner, or answers with the one already launched for this name. Concurrent
    /// identical requests in this process share one launch.
    public func launch(_ request: LaunchRequest) async throws(OrchestratorError) -> LaunchAnswer {
        let pool = try validate(request)
        let started = ContinuousClock.now
        let result = await flights.run(request.runnerName) { [self] in
            do throws(OrchestratorError) {
                return .success(try await launchOnce(request, pool: pool))
            } catch {
                return .failure(error)
            }
        }
        let outcome: String
        switch result {
        case .success: outcome = "ok"
        case .failure(let error): outcome = error.kind.rawValue
        }
        metrics.counter("runway_orchestrator_launch_requests_total", help: "Launch requests by pool and outcome",
                        labels: ["pool": pool.name, "outcome": outcome]).inc()
        metrics.histogram("runway_orchestrator_launch_seconds", help: "Time to answer a launch request",
                          labels: ["pool": pool.name], buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60])
            .observe(ContinuousClock.now - started)
        return try result.get()
    }

    func launchOnce(_ request: LaunchRequest, pool: Pool) async throws(OrchestratorError) -> LaunchAnswer {
        let provider = try provider(for: pool)
        var log = logger
        log[metadataKey: "runner.name"] = "\(request.runnerName)"
        log[metadataKey: "pool.name"] = "\(pool.name)"
        log[metadataKey: "job.id"] = "\(request.jobID)"
        if let found = try await provider.find(runnerName: request.runnerName, pool: pool), found.complete {
            log.info("runner already launched", metadata: ["provider.id": "\(found.info.providerID)"])
            return LaunchAnswer(runnerName: request.runnerName, providerID: found.info.providerID, detail: found.detail)
        }
        let target = RunnerTarget(
            scope: pool.scope, owner: request.owner, repository: request.repository, enterprise: pool.enterprise,
            installationID: request.installationID)
        let jit: JITConfig
        do {
            jit = try await github.generate(
                name: request.runnerName, labels: pool.runnerLabels, runnerGroupID: pool.runnerGroupID, target: target)
        } catch {
            let e = error.asJITError
            log.warning("JIT config generation failed", metadata: ["github.error": "\(e)"])
            throw e.orchestratorError
        }
        let spec = LaunchSpec(runnerName: request.runnerName, pool: pool, jobID: request.jobID, target: target, jitConfig: jit)
        do {
            let launched = try await provider.launch(spec)
            metrics.counter("runway_orchestrator_launches_total", help: "Runners launched", labels: ["pool": pool.name]).inc()
            return LaunchAnswer(runnerName: request.runnerName, providerID: launched.providerID, detail: launched.detail)
        } catch {
            log.warning("launch failed", metadata: ["error.code": "\(error.code)", "error.message": "\(error.message)"])
            // Nothing was launched with this registration: remove it rather than leave a ghost for a
            // day (the job may be cancelled before any retry would replace it). After a timeout or a
            // 5xx an instance may exist with this registration, so it stays for the retry to adopt.
            if error.nothingLaunched {
                try? await github.delete(id: jit.runnerID, target: target)
            }
            throw error
        }
    }

    /// Whether anything was removed by a tear-down.
    public struct TearDownResult: Sendable, Equatable {
        /// An instance or pod was still there.
        public var removedFromProvider: Bool
        /// A GitHub registration was deleted.
        public var removedRegistration: Bool
    }

    /// Deletes the runner's GitHub registration if it still exists, then terminates its instances or
    /// pod. A runner GitHub reports busy is left alone (409) unless `jobFinished`.
    /// - Parameter fallbackTarget: where the registration lives when the provider no longer knows.
    public func tearDown(runnerName: String, jobFinished: Bool, fallbackTarget: RunnerTarget? = nil) async throws(OrchestratorError) -> TearDownResult {
        guard let pool = pool(ofRunner: runnerName) else {
            throw OrchestratorError(.unknownPool, code: "unknown_pool", message: "runner '\(runnerName)' belongs to no pool served here")
        }
        let provider = try provider(for: pool)
        let found = try await provider.find(runnerName: runnerName, pool: pool)
        let target = found?.target ?? fallbackTarget
        var registration: RegisteredRunner?
        var checked = false
        if let target {
            do {
                registration = try await github.find(name: runnerName, target: target)
                checked = true
            } catch {
                // Without GitHub's word the runner might be busy: only a finished job may go ahead.
                if !jobFinished { throw error.asJITError.orchestratorError }
            }
            if let registration, registration.busy, !jobFinished {
                throw OrchestratorError(.busy, code: "runner_busy", message: "GitHub reports runner '\(runnerName)' busy")
            }
        }
        var removedRegistration = false
        if let target {
            do {
                if !checked { registration = try await github.find(name: runnerName, target: target) }
                if let registration {
                    try await github.delete(id: registration.id, target: target)
                    removedRegistration = true
                }
            } catch {
                // GitHub refusing (a runner still shown busy: 422) must not keep a finished job's
                // machine alive; GitHub unavailable keeps it, so the retry finds the registration.
                let e = error.asJITError
                guard jobFinished, e.kind == .rejected else { throw e.orchestratorError }
                logger.warning("GitHub refused to remove the registration; removing the runner anyway",
                               metadata: ["runner.name": "\(runnerName)", "github.error": "\(e)"])
            }
        }
        // The instance or pod goes last: its tags or annotations are what leads a retried tear-down to
        // the registration, so a tear-down cut short in between (process killed) is finished by the retry.
        let removed = found == nil ? false : try await provider.terminate(runnerName: runnerName, pool: pool)
        metrics.counter("runway_orchestrator_teardowns_total", help: "Tear-downs by pool and what was removed",
                        labels: ["pool": pool.name, "removed": removed ? "provider" : (removedRegistration ? "registration" : "nothing")]).inc()
        logger.info("tore down runner", metadata: [
            "runner.name": "\(runnerName)", "pool.name": "\(pool.name)", "provider.removed": "\(removed)",
            "github.registration_removed": "\(removedRegistration)",
        ])
        return TearDownResult(removedFromProvider: removed, removedRegistration: removedRegistration)
    }

    /// Runners at the provider for `pool`, or for every served pool when nil.
    public func list(pool name: String?) async throws(OrchestratorError) -> [RunnerInfo] {
        let selected: [Pool]
        if let name {
            guard let pool = pools[name] else { throw .unknownPool(name) }
            // One pool's list as the provider built it: no second copy of a large pool's runners.
            return try await provider(for: pool).list(pool: pool)
        } else {
            selected = pools.values.sorted { $0.name < $1.name }
        }
        var result: [RunnerInfo] = []
        for pool in selected { result += try await provider(for: pool).list(pool: pool) }
        return result
    }

    /// The served pool a runner name belongs to (`runway-<pool>-<job id>-<attempt>`; the longest
    /// matching pool name wins, since pool names may contain `-`).
    public func pool(ofRunner runnerName: String) -> Pool? {
        pools.values.sorted { $0.name.count > $1.name.count }.first { pool in
            let prefix = "runway-\(pool.name)-"
            guard runnerName.hasPrefix(prefix) else { return false }
            let rest = runnerName.dropFirst(prefix.count).split(separator: "-", omittingEmptySubsequences: false)
            return rest.count == 2 && rest.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
        }
    }

    func provider(for pool: Pool) throws(OrchestratorError) -> any RunnerProvider {
        guard let provider = providers[pool.host] else {
            throw OrchestratorError(.internal, code: "config", message: "no provider for host \(pool.host.rawValue)")
        }
        return provider
    }

    func validate(_ request: LaunchRequest) throws(OrchestratorError) -> Pool {
        guard let pool = pools[request.pool] else { throw .unknownPool(request.pool) }
        var problems: [String] = []
        if self.pool(ofRunner: request.runnerName)?.name != pool.name || request.runnerName.utf8.count > 64 {
            problems.append("runner_name must be runway-\(pool.name)-<job id>-<attempt>, at most 64 characters")
        }
        if request.owner.isEmpty { problems.append("owner is empty") }
        if request.installationID <= 0 { problems.append("installation_id must be positive") }
        if pool.scope == .repo, (request.repository ?? "").isEmpty { problems.append("repository is required for a repo-scoped pool") }
        if !problems.isEmpty {
            throw OrchestratorError(.badRequest, code: "invalid_body", message: problems.joined(separator: "; "))
        }
        return pool
    }
}

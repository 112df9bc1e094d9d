import Logging
import RunwayKit
import Signing

/// Runners as EC2 instances: one RunInstances per runner, tagged with the runner name.
///
/// Idempotency has three layers: a lookup by the `runway:runner` tag before launching (the only
/// one that works on moto, which ignores `ClientToken`), a `ClientToken` derived from the runner
/// name and the capacity combination (EC2 returns the first launch for a repeated token), and the
/// Orchestrator's per-name single-flight in front of this provider.
public struct EC2Provider: RunnerProvider {
    let ec2: any EC2API
    let budget: RetryBudget
    let logger: Logger

    /// States in which an instance still exists as a runner.
    static let liveStates = ["pending", "running", "shutting-down", "stopping", "stopped"]

    /// Creates a provider over `ec2`.
    public init(ec2: any EC2API, budget: RetryBudget = RetryBudget(), logger: Logger) {
        self.ec2 = ec2
        self.budget = budget
        self.logger = logger
    }

    public func find(runnerName: String, pool: Pool) async throws(OrchestratorError) -> FoundRunner? {
        let instances = try await describe([EC2InstanceFilter("tag:\(RunnerTags.runner)", [runnerName])])
        // Prefer a live instance; among equals, the latest launch.
        let best = instances.max { a, b in
            let (la, lb) = (a.state != "terminated", b.state != "terminated")
            if la != lb { return !la }
            return (a.launchTime ?? .distantPast) < (b.launchTime ?? .distantPast)
        }
        guard let best else { return nil }
        return FoundRunner(
            info: Self.info(best, pool: pool.name), target: RunnerTags.target(from: best.tags, pool: pool),
            complete: true, detail: Self.detail(best))
    }

    public func launch(_ spec: LaunchSpec) async throws(OrchestratorError) -> LaunchedRunner {
        guard let settings = spec.pool.ec2 else {
            throw OrchestratorError(.internal, code: "config", message: "pool \(spec.pool.name) has no ec2 settings")
        }
        let userData: String
        do {
            userData = try EC2UserData.render(os: spec.pool.os, settings: settings, jitConfig: spec.jitConfig)
        } catch {
            throw OrchestratorError(.rejected, code: "user_data", message: error.message)
        }
        let requests = Self.runRequests(spec: spec, settings: settings, userData: userData)
        var refused: [String] = []
        for request in requests {
            switch try await run(request, runnerName: spec.runnerName, pool: spec.pool) {
            case .launched(let runner):
                return runner
            case .noCapacity(let error):
                refused.append("\(request.spot ? "spot" : "on-demand") \(request.instanceType) in \(request.subnetID ?? "default subnet")")
                logger.info("no capacity, trying the next combination", metadata: [
                    "runner.name": "\(spec.runnerName)", "aws.error": "\(error.code)",
                    "aws.request_id": "\(error.requestID ?? "-")", "ec2.instance_type": "\(request.instanceType)",
                    "ec2.subnet": "\(request.subnetID ?? "-")", "ec2.market": "\(request.spot ? "spot" : "on-demand")",
                ])
            }
        }
        throw OrchestratorError(
            .unavailable, code: "InsufficientInstanceCapacity",
            message: "no capacity: \(refused.joined(separator: "; "))", retryAfter: 30, nothingLaunched: true)
    }

    enum RunResult: Sendable {
        case launched(LaunchedRunner)
        case noCapacity(EC2CallError)
    }

    /// One capacity combination, with throttling and transient failures retried within the budget.
    func run(_ request: EC2RunRequest, runnerName: String, pool: Pool) async throws(OrchestratorError) -> RunResult {
        var tries = 0
        let result: Result<EC2InstanceInfo, EC2CallError> = try await budget.run { () async throws(OrchestratorError) in
            tries += 1
            // A retried call may follow a launch whose answer was lost; moto ignores the ClientToken.
            if tries > 1, let found = try await find(runnerName: runnerName, pool: pool) {
                return .done(.success(Self.instance(from: found)))
            }
            do {
                return .done(.success(try await ec2.runInstances(request)))
            } catch {
                let e = Self.callError(error)
                switch e.kind {
                case .throttled, .transient: return .retry(Self.unavailable(e))
                case .capacity, .idempotencyMismatch, .permanent: return .done(.failure(e))
                }
            }
        }
        switch result {
        case .success(let instance):
            let launched = LaunchedRunner(providerID: instance.id, detail: Self.detail(instance, request: request))
            logger.info("launched runner instance", metadata: [
                "runner.name": "\(runnerName)", "pool.name": "\(pool.name)", "ec2.instance_id": "\(instance.id)",
                "ec2.instance_type": "\(request.instanceType)", "ec2.subnet": "\(request.subnetID ?? "-")",
                "ec2.market": "\(request.spot ? "spot" : "on-demand")",
            ])
            return .launched(launched)
        case .failure(let e) where e.kind == .capacity:
            return .noCapacity(e)
        case .failure(let e) where e.kind == .idempotencyMismatch:
            // An earlier call with this token launched (with another JIT config); EC2 may not list it yet.
            let found = try await budget.run { () async throws(OrchestratorError) in
                if let found = try await find(runnerName: runnerName, pool: pool) { return .done(found) }
                return .retry(OrchestratorError(
                    .unavailable, code: "launch_in_progress", message: "an earlier launch of this runner is not visible yet",
                    retryAfter: 5))
            }
            return .launched(LaunchedRunner(providerID: found.info.providerID, detail: found.detail))
        case .failure(let e):
            throw OrchestratorError(.rejected, code: e.code, message: "EC2 refused the launch: \(e.message)")
        }
    }

    public func terminate(runnerName: String, pool: Pool) async throws(OrchestratorError) -> Bool {
        let live = try await describe([
            EC2InstanceFilter("tag:\(RunnerTags.runner)", [runnerName]),
            EC2InstanceFilter("instance-state-name", ["pending", "running", "stopping", "stopped"]),
        ])
        guard !live.isEmpty else { return false }
        let ids = live.map(\.id).sorted()
        try await budget.run { () async throws(OrchestratorError) -> RetryBudget.Outcome<Void> in
            do {
                try await ec2.terminateInstances(ids: ids)
                return .done(())
            } catch {
                let e = Self.callError(error)
                if e.code == "InvalidInstanceID.NotFound" { return .done(()) }
                switch e.kind {
                case .throttled, .transient: return .retry(Self.unavailable(e))
                default: throw OrchestratorError(.rejected, code: e.code, message: "EC2 refused to terminate: \(e.message)")
                }
            }
        }
        logger.info("terminated runner instances", metadata: [
            "runner.name": "\(runnerName)", "ec2.instance_ids": "\(ids.joined(separator: ","))",
        ])
        return true
    }

    public func list(pool: Pool) async throws(OrchestratorError) -> [RunnerInfo] {
        let filters = [
            EC2InstanceFilter("tag:\(RunnerTags.pool)", [pool.name]), EC2InstanceFilter("instance-state-name", Self.liveStates),
        ]
        // Each page is reduced to RunnerInfo as it arrives: the instances' tags and descriptions,
        // kept for a whole pool, were most of a large listing's peak memory (docs/benchmarks.md).
        var runners = try await budget.run { () async throws(OrchestratorError) -> RetryBudget.Outcome<[RunnerInfo]> in
            var runners: [RunnerInfo] = []
            do {
                try await ec2.describeInstances(filters: filters) { page in
                    for instance in page where instance.tags[RunnerTags.runner] != nil {
                        runners.append(Self.info(instance, pool: pool.name))
                    }
                }
                return .done(runners)
            } catch {
                return try Self.describeFailure(error)
            }
        }
        runners.sort { $0.runnerName < $1.runnerName }
        return runners
    }

    func describe(_ filters: [EC2InstanceFilter]) async throws(OrchestratorError) -> [EC2InstanceInfo] {
        try await budget.run { () async throws(OrchestratorError) in
            do {
                return .done(try await ec2.describeInstances(filters: filters))
            } catch {
                return try Self.describeFailure(error)
            }
        }
    }

    /// Throttling and transient failures are retried within the budget; anything else is final.
    static func describeFailure<T>(_ error: any Error) throws(OrchestratorError) -> RetryBudget.Outcome<T> {
        let e = callError(error)
        switch e.kind {
        case .throttled, .transient: return .retry(unavailable(e))
        default: throw OrchestratorError(.rejected, code: e.code, message: "EC2 DescribeInstances: \(e.message)")
        }
    }
}

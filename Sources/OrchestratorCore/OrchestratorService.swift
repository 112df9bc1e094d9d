import AWS
import Foundation
import GitHub
import HTTP
import HTTPClient
import Kubernetes
import Logging
import RunwayKit

/// Wires the Orchestrator: configuration → AWS, Kubernetes and GitHub clients → runner service →
/// routes → `ServiceRunner`.
public enum OrchestratorService {
    /// Runs the Orchestrator until SIGTERM/SIGINT; returns the exit code (2 for bad configuration).
    public static func main(environment: [String: String]) async -> Int32 {
        guard let (config, logger) = ServiceStartup.configure("orchestrator", common: \.common, load: {
            try OrchestratorConfig.load(environment: environment)
        }) else { return 2 }
        let transport = HTTPClient()
        let credentials: any AWSCredentialsProvider
        do {
            credentials = try DefaultCredentialChain.make(environment: environment, configuration: config.aws, transport: transport)
        } catch {
            logger.critical("no AWS credentials", metadata: ["error": "\(error)"])
            transport.shutdown()
            return 2
        }
        logger.info("orchestrator starting", metadata: [
            "pools": "\(config.pools.map(\.name).joined(separator: ","))", "aws.region": "\(config.aws.region)",
            "aws.credentials": "\(DefaultCredentialChain.source(for: environment)?.rawValue ?? "-")",
        ])
        let parts = build(config: config, transport: transport, credentials: credentials, logger: logger)
        return await ServiceRunner.run(
            name: "orchestrator", config: config.common, router: parts.router, metrics: parts.metrics, logger: logger,
            environment: environment, onShutdown: { transport.shutdown() })
    }

    /// The assembled service.
    public struct Parts: Sendable {
        /// The runner logic.
        public var service: RunnerService
        /// Routes including `/readyz` checks.
        public var router: Router
        /// Metrics registry.
        public var metrics: MetricsRegistry
    }

    /// Builds the service over real clients.
    public static func build(
        config: OrchestratorConfig, transport: any HTTPTransport, credentials: any AWSCredentialsProvider, logger: Logger
    ) -> Parts {
        // One attempt per AWS call: the RetryBudget owns retries and looks the runner up between them.
        let aws = AWSClient(
            transport: transport, credentials: credentials, configuration: config.aws,
            retryPolicy: AWSRetryPolicy(maxAttempts: 1), logger: logger)
        let ec2 = EC2Client(client: aws)
        let sts = STSClient(client: aws)
        let eks = EKSClient(client: AWSClient(transport: transport, credentials: credentials, configuration: config.aws, logger: logger))
        let budget = RetryBudget(maxAttempts: config.retryAttempts, maxTotalWait: config.retryBudget)
        var clusters: [String: any KubernetesAPI] = [:]
        var checks = [ReadinessCheck(name: "aws") {
            do throws(AWSError) {
                _ = try await sts.getCallerIdentity()
                return nil
            } catch {
                return "STS GetCallerIdentity: \(error.code.rawValue)"
            }
        }]
        for pool in config.pools {
            guard let settings = pool.eks else { continue }
            let cluster = settings.cluster
            if clusters[cluster] == nil {
                clusters[cluster] = KubernetesAdapter {
                    try await KubernetesClient.forEKS(cluster: cluster, eks: eks, transport: transport, credentials: credentials, logger: logger)
                }
            }
            let api = clusters[cluster]!
            checks.append(ReadinessCheck(name: "eks:\(cluster)/\(settings.namespace)") { await api.probe(namespace: settings.namespace) })
        }
        let metrics = MetricsRegistry()
        let github = GitHubApp(credentials: config.github, transport: transport, configuration: config.githubClient, logger: logger)
        let service = RunnerService(
            pools: config.pools,
            providers: [
                .ec2: EC2Provider(ec2: AWSEC2Adapter(client: ec2, logger: logger), budget: budget, logger: logger),
                .eks: EKSProvider(clusters: clusters, budget: budget, logger: logger),
            ],
            github: GitHubJITSource(app: github), logger: logger, metrics: metrics)
        let api = OrchestratorAPI(service: service, token: config.common.internalToken, logger: logger)
        return Parts(service: service, router: OrchestratorRoutes.router(api: api, metrics: metrics, checks: checks), metrics: metrics)
    }
}

import Foundation
import Logging
import RunwayKit
@testable import OrchestratorCore

/// The example pools used by the unit tests: one of each kind.
let testPoolsYAML = """
    pools:
      - name: ec2-ubuntu
        host: ec2
        os: ubuntu
        labels: [ubuntu-runner, x64]
        orchestrator_url: http://127.0.0.1:9003
        max_lifetime: 2h
        runner_group_id: 3
        ec2:
          image_id: ami-0123456789abcdef0
          instance_types: [c7i.xlarge, m7i.xlarge]
          subnet_ids: [subnet-aaa, subnet-bbb]
          security_group_ids: [sg-111, sg-222]
          instance_profile: runway-runner
          spot: true
          root_volume_gib: 64
          tags: {team: ci, "runway:pool": spoofed}
      - name: ec2-windows
        host: ec2
        os: windows
        labels: [windows-runner]
        orchestrator_url: http://127.0.0.1:9003
        scope: repo
        ec2:
          image_id: ami-0fedcba9876543210
          instance_types: [m7i.large]
          subnet_ids: [subnet-ccc]
          security_group_ids: [sg-333]
          runner_version: 2.321.0
      - name: eks-ubuntu
        host: eks
        os: ubuntu
        labels: [k8s]
        orchestrator_url: http://127.0.0.1:9003
        max_lifetime: 3h
        eks:
          cluster: runners
          namespace: ci
          resources:
            requests: {cpu: "2", memory: 4Gi}
            limits: {cpu: "2", memory: 4Gi}
          node_selector: {kubernetes.io/os: linux}
          tolerations:
            - {key: dedicated, operator: Equal, value: runners, effect: NoSchedule}
    """

func testPools() throws -> [Pool] {
    try PoolsConfig.parse(testPoolsYAML).pools
}

/// No waiting in unit tests: backoff is recorded, not slept.
func instantBudget(maxAttempts: Int = 4) -> RetryBudget {
    RetryBudget(maxAttempts: maxAttempts, baseDelay: .milliseconds(200), maxTotalWait: .seconds(5), sleep: { _ in })
}

/// A service over fakes.
struct Harness {
    let ec2: FakeEC2
    let k8s: FakeKubernetes
    let github: FakeGitHub
    let service: RunnerService

    init(ec2: FakeEC2 = FakeEC2(), k8s: FakeKubernetes = FakeKubernetes(), github: FakeGitHub = FakeGitHub(), jit: (any JITSource)? = nil) throws {
        self.ec2 = ec2
        self.k8s = k8s
        self.github = github
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        service = RunnerService(
            pools: try testPools(),
            providers: [
                .ec2: EC2Provider(ec2: ec2, budget: instantBudget(), logger: logger),
                .eks: EKSProvider(clusters: ["runners": k8s], budget: instantBudget(), logger: logger),
            ],
            github: jit ?? github, logger: logger)
    }

    /// The same service state (provider, GitHub) seen by a freshly started process.
    func restarted() throws -> Harness { try Harness(ec2: ec2, k8s: k8s, github: github) }
}

func request(pool: String = "ec2-ubuntu", job: Int64 = 4242, attempt: Int = 1, repository: String? = "octo-org/app") -> LaunchRequest {
    LaunchRequest(
        runnerName: runnerName(pool: pool, jobID: job, attempt: attempt), pool: pool, jobID: job,
        labels: ["self-hosted", "linux"], owner: "octo-org", repository: repository, installationID: 77)
}

extension JITConfig {
    /// The config FakeGitHub hands out as its n-th registration (ids start at 101).
    static func fake(_ id: Int64) -> String {
        Data(#"{".runner":"eyJhZ2VudElkIjo\#(id)fQ==",".credentials":"c2VjcmV0"}"#.utf8).base64EncodedString()
    }
}

import Foundation
import RunwayKit
import Testing

@Suite struct PoolsConfigTests {
    static let valid = """
        global_max_runners: 50
        pools:
          - name: ec2-ubuntu
            host: ec2
            os: ubuntu
            labels: [linux, x64, ec2]
            orchestrator_url: http://orchestrator-ec2:8080/
            max_runners: 20
            launch_rate: 2.5
            idle_timeout: 5m
            ec2:
              image_id: ami-123
              instance_types: [c7i.large, c6i.large]
              subnet_ids: [subnet-a, subnet-b]
              security_group_ids: [sg-1]
              spot: true
          - name: eks-ubuntu
            host: eks
            os: ubuntu
            labels: [linux, x64, k8s]
            orchestrator_url: http://orchestrator-eks:8080
            eks:
              cluster: runners
              resources: {requests: {cpu: "2", memory: 4Gi}}
          - name: ec2-ubuntu-gpu
            host: ec2
            os: ubuntu
            labels: [linux, x64, ec2, gpu]
            orchestrator_url: http://orchestrator-ec2:8080
            ec2: {image_id: ami-9, instance_types: [g5.xlarge], subnet_ids: [subnet-a]}
        """

    @Test func parsesAValidFileWithDefaults() throws {
        let config = try PoolsConfig.parse(Self.valid)
        #expect(config.pools.count == 3)
        #expect(config.globalMaxRunners == 50)
        #expect(config.ignoreLabels == PoolsConfig.defaultIgnoreLabels)
        let ec2 = try #require(config.pool(named: "ec2-ubuntu"))
        #expect(ec2.orchestratorURL == "http://orchestrator-ec2:8080")
        #expect(ec2.launchRate == 2.5)
        #expect(ec2.launchBurst == 3)
        #expect(ec2.idleTimeout == .seconds(300))
        #expect(ec2.maxLifetime == .seconds(21600))
        #expect(ec2.ec2?.instanceTypes == ["c7i.large", "c6i.large"])
        #expect(ec2.ec2?.spot == true)
        #expect(ec2.ec2?.runnerPath == "/home/runner")
        #expect(ec2.ec2?.metadataHopLimit == 1)
        let eks = try #require(config.pool(named: "eks-ubuntu"))
        #expect(eks.eks?.namespace == "runway-runners")
        #expect(eks.eks?.image == "ghcr.io/actions/actions-runner:latest")
        #expect(eks.eks?.requests == ["cpu": "2", "memory": "4Gi"])
        #expect(eks.maxRunners == 10)
    }

    @Test func jsonIsAccepted() throws {
        let json = """
            {"pools": [{"name": "p", "host": "eks", "os": "ubuntu", "labels": ["k8s"],
              "orchestrator_url": "http://o:1", "eks": {"cluster": "c"}}]}
            """
        #expect(try PoolsConfig.parse(json).pools.first?.name == "p")
    }

    @Test func reportsEveryProblemAtOnce() {
        let bad = """
            pools:
              - name: Bad_Name
                host: ec3
                os: ubuntu
                labels: []
                orchestrator_url: ftp://x
                max_runners: 0
                typo_key: 1
                ec2: {image_id: ami-1, instance_types: [], subnet_ids: [s]}
              - name: w
                host: eks
                os: windows
                labels: [a]
                orchestrator_url: http://o
            """
        do {
            _ = try PoolsConfig.parse(bad, source: "pools.yaml")
            Issue.record("expected an error")
        } catch {
            let text = error.problems.joined(separator: "\n")
            #expect(text.contains("name: must be 1-40 lowercase"))
            #expect(text.contains("host: must be one of ec2, eks, got 'ec3'"))
            #expect(text.contains("labels: must list at least one label"))
            #expect(text.contains("orchestrator_url: must be an http"))
            #expect(text.contains("max_runners: must be between 1"))
            #expect(text.contains("unknown key 'typo_key'"))
            #expect(text.contains("eks pools run Linux pods"))
            #expect(text.contains("pools[1] (w).eks: is required"))
            #expect(error.problems.count >= 8)
        }
    }

    @Test func rejectsDuplicateNamesAndNonYAML() {
        #expect(throws: ConfigError.self) { try PoolsConfig.parse("pools: [") }
        #expect(throws: ConfigError.self) { try PoolsConfig.parse("just a string") }
        let dup = """
            pools:
              - {name: a, host: eks, os: ubuntu, labels: [x], orchestrator_url: "http://o", eks: {cluster: c}}
              - {name: a, host: eks, os: ubuntu, labels: [y], orchestrator_url: "http://o", eks: {cluster: c}}
            """
        #expect(throws: ConfigError.self) { try PoolsConfig.parse(dup) }
    }

    @Test func routesByGitHubLabelRuleMostSpecificFirst() throws {
        let config = try PoolsConfig.parse(Self.valid)
        #expect(config.route(labels: ["self-hosted", "linux", "ec2"]) == .pool(config.pool(named: "ec2-ubuntu")!))
        #expect(config.route(labels: ["self-hosted", "Linux", "EC2", "gpu"]) == .pool(config.pool(named: "ec2-ubuntu-gpu")!))
        #expect(config.route(labels: ["self-hosted", "k8s"]) == .pool(config.pool(named: "eks-ubuntu")!))
        #expect(config.route(labels: ["ubuntu-latest"]) == .ignored)
        #expect(config.route(labels: ["macos-14"]) == .ignored)
        guard case .unroutable(let reason) = config.route(labels: ["self-hosted", "arm64"]) else {
            Issue.record("expected unroutable")
            return
        }
        #expect(reason.contains("arm64"))
        guard case .unroutable = config.route(labels: ["self-hosted", "ubuntu-latest"]) else {
            Issue.record("self-hosted jobs are never ignored")
            return
        }
    }

    @Test func globMatching() {
        #expect(Glob.matches("ubuntu-*", "Ubuntu-22.04"))
        #expect(Glob.matches("*", ""))
        #expect(Glob.matches("a?c", "abc"))
        #expect(!Glob.matches("ubuntu-*", "ubuntu"))
        #expect(!Glob.matches("mac*x", "macos"))
    }

    @Test func runnerNamesAreDeterministic() {
        #expect(runnerName(pool: "ec2-ubuntu", jobID: 42, attempt: 2) == "runway-ec2-ubuntu-42-2")
    }
}

/// The pools files the repository ships must stay valid.
@Suite struct ShippedPoolsFilesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: ["compose/pools.example.yaml", "deploy/eks/pools.yaml"])
    func shippedPoolsFileIsValid(_ path: String) throws {
        let config = try PoolsConfig.load(path: Self.root.appendingPathComponent(path).path)
        #expect(!config.pools.isEmpty)
    }

    @Test func exampleHasEveryPoolType() throws {
        let config = try PoolsConfig.load(path: Self.root.appendingPathComponent("compose/pools.example.yaml").path)
        let kinds = Set(config.pools.map { "\($0.host.rawValue)-\($0.os.rawValue)" })
        #expect(kinds.isSuperset(of: ["ec2-ubuntu", "ec2-windows", "eks-ubuntu"]))
    }
}

import AWS
import ArgumentParser
import Foundation
import HTTPClient
import Kubernetes
import RunwayKit

/// `runway pools check`: validates the pools file, then for each pool checks what a launch needs
/// at the provider — the EC2 image, subnets and security groups exist; the EKS cluster answers and
/// the runners namespace is usable. Lists every problem; exits 1 if there is any.
struct PoolsCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Check every pool's image, subnets, security groups or EKS cluster (RUNWAY_POOLS, AWS_*).")

    @Option(name: .long, help: "Pools file (default: $RUNWAY_POOLS).")
    var pools: String?

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        guard let path = pools ?? env["RUNWAY_POOLS"] else {
            FileHandle.standardError.write(Data("runway pools check: set RUNWAY_POOLS or --pools\n".utf8))
            throw ExitCode(2)
        }
        let config: PoolsConfig
        do {
            config = try PoolsConfig.load(path: path)
        } catch {
            FileHandle.standardError.write(Data("runway pools check: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let transport = HTTPClient()
        defer { transport.shutdown() }
        var problems: [String] = []
        do {
            let configuration = try AWSConfiguration(environment: env)
            let credentials = try DefaultCredentialChain.make(environment: env, configuration: configuration, transport: transport)
            let client = AWSClient(transport: transport, credentials: credentials, configuration: configuration)
            for pool in config.pools {
                var found: [String] = []
                if let ec2 = pool.ec2 {
                    found = await preflight(ec2: EC2Client(client: client), imageId: ec2.imageID, subnetIds: ec2.subnetIDs,
                                            securityGroupIds: ec2.securityGroupIDs)
                } else if let eks = pool.eks {
                    found = await preflight(eks: EKSClient(client: client), cluster: eks.cluster, namespace: eks.namespace,
                                            transport: transport, credentials: credentials)
                }
                print("\(pool.name): \(found.isEmpty ? "ok" : "\(found.count) problem(s)")")
                problems += found.map { "\(pool.name): \($0)" }
            }
        } catch {
            problems.append("AWS: \(error)")
        }
        guard problems.isEmpty else {
            FileHandle.standardError.write(Data(problems.map { "  - \($0)\n" }.joined().utf8))
            throw ExitCode(1)
        }
    }
}

import AWS
import ArgumentParser
import Foundation
import HTTPClient

/// `runway aws …`: AWS access checks for operators.
struct AWSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aws",
        abstract: "Check AWS access with the standard credential chain.",
        subcommands: [WhoAmI.self])

    /// `runway aws whoami`: STS GetCallerIdentity through the credential chain.
    struct WhoAmI: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "whoami",
            abstract: "Show the AWS identity the credential chain resolves to (STS GetCallerIdentity).")

        @Flag(name: .long, help: "Print JSON instead of text.")
        var json = false

        func run() async throws {
            let env = ProcessInfo.processInfo.environment
            let transport = HTTPClient()
            defer { transport.shutdown() }
            do {
                let configuration = try AWSConfiguration(environment: env)
                let source = DefaultCredentialChain.source(for: env)?.rawValue ?? "none"
                let provider = try DefaultCredentialChain.make(environment: env, configuration: configuration, transport: transport)
                let sts = STSClient(client: AWSClient(transport: transport, credentials: provider, configuration: configuration))
                let identity = try await sts.getCallerIdentity()
                let fields: [(String, String)] = [
                    ("account", identity.account), ("arn", identity.arn), ("user_id", identity.userId),
                    ("credentials", source), ("region", configuration.region), ("sts_endpoint", configuration.endpoint(for: .sts)),
                ]
                if json {
                    let object = Dictionary(uniqueKeysWithValues: fields)
                    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                    print(String(decoding: data, as: UTF8.self))
                } else {
                    for (name, value) in fields { print("\(name): \(value)") }
                }
            } catch let error as AWSError {
                FileHandle.standardError.write(Data("runway aws whoami: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}

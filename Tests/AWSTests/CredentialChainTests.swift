import RunwayTestSupport
import Foundation
import HTTP
import HTTPClient
import Testing
@testable import AWS

/// Unit tests: chain selection, caching, single-flight refresh.
@Suite struct CredentialChainUnitTests {
    @Test func sourceSelectionOrder() {
        let all = ["AWS_ACCESS_KEY_ID": "a", "AWS_WEB_IDENTITY_TOKEN_FILE": "/t", "AWS_ROLE_ARN": "r", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1/"]
        #expect(DefaultCredentialChain.source(for: all) == .environment)
        #expect(DefaultCredentialChain.source(for: all.filter { $0.key != "AWS_ACCESS_KEY_ID" }) == .webIdentity)
        #expect(DefaultCredentialChain.source(for: ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/x"]) == .container)
        #expect(DefaultCredentialChain.source(for: [:]) == .instanceMetadata)
        #expect(DefaultCredentialChain.source(for: ["AWS_EC2_METADATA_DISABLED": "true"]) == nil)
    }

    @Test func containerURIRules() {
        #expect(ContainerCredentialsProvider.isAllowed("http://169.254.170.23/v1/credentials"))
        #expect(ContainerCredentialsProvider.isAllowed("http://127.0.0.1:8080/creds"))
        #expect(ContainerCredentialsProvider.isAllowed("http://[fd00:ec2::23]/v1/credentials"))
        #expect(ContainerCredentialsProvider.isAllowed("https://creds.example.com/x"))
        #expect(!ContainerCredentialsProvider.isAllowed("http://evil.example.com/creds"))
        #expect(!ContainerCredentialsProvider.isAllowed("http://127.0.0.1.evil.com/creds"))
    }

    @Test func relativeURIGoesToTheECSAgent() async throws {
        let transport = FakeTransport(body: #"{"AccessKeyId":"ASIA1","SecretAccessKey":"s","Token":"t","Expiration":"2030-01-01T00:00:00Z"}"#)
        let provider = try ContainerCredentialsProvider(environment: ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc"], transport: transport)
        let creds = try await provider.credentials()
        #expect(creds.sessionToken == "t")
        #expect(creds.expiration == Date(timeIntervalSince1970: 1_893_456_000))
        #expect(transport.requests.first?.url == "http://169.254.170.2/v2/credentials/abc")
    }

    actor CountingSource: AWSCredentialsProvider {
        var calls = 0
        let lifetime: TimeInterval
        init(lifetime: TimeInterval) { self.lifetime = lifetime }
        func credentials() async throws -> AWSCredentials {
            calls += 1
            let n = calls
            try await Task.sleep(for: .milliseconds(50))
            return AWSCredentials(accessKeyId: "ASIA\(n)", secretAccessKey: "s", sessionToken: "t", expiration: TestAWS.date.addingTimeInterval(lifetime))
        }
    }

    @Test func refreshIsSingleFlightAndBeforeExpiry() async throws {
        let clock = MutableClock(TestAWS.date)
        let source = CountingSource(lifetime: 3600)
        let cache = CachingCredentialsProvider(source: source, refreshMargin: 300, now: { clock.now })
        let keys = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { try await cache.credentials().accessKeyId } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(keys == ["ASIA1"])
        #expect(await source.calls == 1)
        clock.advance(3600 - 301)
        #expect(try await cache.credentials().accessKeyId == "ASIA1")
        clock.advance(2)
        #expect(try await cache.credentials().accessKeyId == "ASIA2")
        #expect(await source.calls == 2)
    }
}

/// The chain against real endpoints: moto's STS (web identity), a container-credentials
/// endpoint and a strict IMDSv2 stand-in, each checked by a signed GetCallerIdentity that moto
/// verifies; plus moto's own IMDS.
@Suite(.serialized) struct CredentialChainIntegrationTests {
    func whoami(_ env: [String: String], _ transport: HTTPClient) async throws -> CallerIdentity {
        let configuration = try AWSConfiguration(environment: env)
        let provider = try DefaultCredentialChain.make(environment: env, configuration: configuration, transport: transport)
        return try await STSClient(client: AWSClient(transport: transport, credentials: provider, configuration: configuration)).getCallerIdentity()
    }

    @Test func webIdentityContainerAndIMDSv2() async throws {
        let aws = try await StandInProcess(script: "moto_eks_patch.py", arguments: ["--cluster", "chain"])
        let transport = HTTPClient()
        defer { transport.shutdown() }
        let base = ["AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": try aws.string("moto_url")]
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("runway-chain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        let tokenFile = dir.appendingPathComponent("web-identity-token")
        try "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6cnVud2F5In0.c2ln".write(to: tokenFile, atomically: true, encoding: .utf8)
        var env = base
        env["AWS_WEB_IDENTITY_TOKEN_FILE"] = tokenFile.path
        env["AWS_ROLE_ARN"] = try aws.string("role_arn")
        env["AWS_ROLE_SESSION_NAME"] = "runway-orchestrator-0"
        let web = try await whoami(env, transport)
        #expect(web.arn.hasSuffix(":assumed-role/runway-orchestrator/runway-orchestrator-0"))

        let podToken = dir.appendingPathComponent("eks-pod-identity-token")
        try (try aws.string("creds_token")).write(to: podToken, atomically: true, encoding: .utf8)
        env = base
        env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = try aws.string("creds_url")
        env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = podToken.path
        #expect(try await whoami(env, transport).arn.hasSuffix(":assumed-role/runway-orchestrator/container"))
        env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = nil
        env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "wrong"
        await #expect(throws: AWSError.self) { try await whoami(env, transport) }

        env = base
        env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = try aws.string("imds_url")
        #expect(try await whoami(env, transport).arn.hasSuffix(":assumed-role/runway-orchestrator/instance"))

        env = base
        env["AWS_ACCESS_KEY_ID"] = try aws.string("access_key")
        env["AWS_SECRET_ACCESS_KEY"] = try aws.string("secret")
        #expect(try await whoami(env, transport).arn.hasSuffix(":user/runway-e2e"))
    }

    @Test func imdsv2AgainstMoto() async throws {
        let moto = try Moto()
        defer { moto.transport.shutdown() }
        let provider = IMDSCredentialsProvider(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": moto.url], transport: moto.transport)
        let creds = try await provider.credentials()
        #expect(creds.accessKeyId == "test-key")
        #expect(creds.sessionToken == "test-session-token")
        #expect(creds.expiration.map { $0 > Date() } == true)
    }

    @Test func imdsUnreachableFailsFast() async throws {
        let transport = HTTPClient()
        defer { transport.shutdown() }
        let provider = IMDSCredentialsProvider(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:9"], transport: transport)
        let clock = ContinuousClock()
        let start = clock.now
        await #expect(throws: AWSError.self) { try await provider.credentials() }
        #expect(clock.now - start < .seconds(5))
    }
}

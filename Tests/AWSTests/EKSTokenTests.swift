import Foundation
import Testing
import Signing
@testable import AWS

/// The EKS bearer-token vectors generated with botocore (`aws eks get-token`).
@Suite struct EKSTokenVectorTests {
    static var cases: [[String: Any]] {
        (try? Fixture.json("eks-token/eks-token-vectors.botocore-generated.json"))?["cases"] as? [[String: Any]] ?? []
    }
    static let names = cases.map { $0["name"] as! String }

    @Test func vectorsFound() { #expect(Self.names.count == 2) }

    @Test(arguments: names)
    func vector(_ name: String) throws {
        let c = Self.cases.first { $0["name"] as? String == name }!
        let credentials = AWSCredentials(accessKeyId: c["access_key_id"] as! String, secretAccessKey: c["secret_access_key"] as! String,
                                         sessionToken: c["session_token"] as? String)
        let date = try #require(AMZDate.parse(c["timestamp"] as! String))
        let generator = EKSTokenGenerator(clusterName: c["cluster"] as! String, region: c["region"] as! String)
        #expect(try generator.presignedURL(credentials: credentials, date: date) == c["presigned_url_botocore_client"] as! String)
        #expect(try generator.token(credentials: credentials, date: date) == c["token"] as! String)
        let token = try generator.token(credentials: credentials, date: date)
        #expect(!token.contains("="))
    }

    @Test func providerReusesThenRegeneratesBeforeExpiry() async throws {
        let clock = MutableClock(TestAWS.date)
        let provider = EKSTokenProvider(generator: EKSTokenGenerator(clusterName: "c", region: "us-east-1"),
                                        credentials: StaticCredentialsProvider(TestAWS.credentials), refreshAfter: 300,
                                        now: { clock.now })
        let first = try await provider.token()
        clock.advance(299)
        #expect(try await provider.token() == first)
        clock.advance(2)
        let second = try await provider.token()
        #expect(second != first)
        let url = String(decoding: Base64.urlDecode(String(second.dropFirst(EKSTokenGenerator.prefix.count)))!, as: UTF8.self)
        #expect(url.contains("X-Amz-Date=20150830T124101Z"))
    }

    @Test func providerRefreshesBeforeSessionCredentialsExpire() async throws {
        let clock = MutableClock(TestAWS.date)
        var creds = TestAWS.credentials
        creds.sessionToken = "tok"
        creds.expiration = TestAWS.date.addingTimeInterval(120)
        let provider = EKSTokenProvider(generator: EKSTokenGenerator(clusterName: "c", region: "us-east-1"),
                                        credentials: StaticCredentialsProvider(creds), now: { clock.now })
        let first = try await provider.token()
        clock.advance(61)
        #expect(try await provider.token() != first)
    }
}

/// A settable clock for tests.
final class MutableClock: @unchecked Sendable {
    // Safety: `value` is only touched while holding `lock`.
    private let lock = NSLock()
    private var value: Date
    init(_ start: Date) { value = start }
    var now: Date { lock.withLock { value } }
    func advance(_ seconds: TimeInterval) { lock.withLock { value = value.addingTimeInterval(seconds) } }
}

import Foundation
import HTTP
import HTTPClient
import Testing
@testable import Kubernetes

@Suite struct KubernetesClientTests {
    static let pod = #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"ns"},"spec":{"containers":[{"name":"c","image":"i"}]},"status":{"phase":"Running"}}"#

    func client(_ t: FakeTransport, tokens: any KubernetesTokenProvider = StaticTokenProvider("tok")) -> KubernetesClient {
        KubernetesClient(endpoint: "https://api.example:6443/", caBundlePEM: Array("PEM".utf8), transport: t, tokens: tokens, baseDelay: .milliseconds(1))
    }

    @Test(arguments: [
        (401, "Unauthorized", false), (403, "Forbidden", false), (404, "NotFound", false),
        (409, "AlreadyExists", false), (422, "Invalid", false), (429, "TooManyRequests", true), (500, "InternalError", true),
    ])
    func statusErrorsAreDecoded(code: Int, reason: String, retryable: Bool) async {
        let t = FakeTransport([(code, [:], status(code, reason, "pods \\\"p\\\" \(reason)"))])
        do { _ = try await client(t).get(Pod.self, name: "p", namespace: "ns"); Issue.record("no error") } catch {
            #expect(error.reason.rawValue == reason)
            #expect(error.status == code)
            #expect(error.message == "pods \"p\" \(reason)")
            #expect(error.retryable == retryable)
        }
    }

    @Test func throttlingHonoursRetryAfterThenSucceeds() async throws {
        let t = FakeTransport([(429, ["Retry-After": "0"], status(429, "TooManyRequests", "slow down")), (200, [:], Self.pod)])
        let pod = try await client(t).get(Pod.self, name: "p", namespace: "ns")
        #expect(pod.status?.phase == "Running")
        #expect(t.requests.count == 2)
    }

    @Test func unauthorizedRefreshesTokenOnce() async throws {
        let tokens = CountingTokens()
        let t = FakeTransport([(401, [:], status(401, "Unauthorized", "Unauthorized"))])
        await #expect(throws: KubernetesError.self) { try await client(t, tokens: tokens).get(Pod.self, name: "p", namespace: "ns") }
        #expect(t.requests.map { $0.headers["Authorization"] } == ["Bearer token-0", "Bearer token-1"])
    }

    @Test func requestsCarryCAAndPaths() async throws {
        let t = FakeTransport([(200, [:], #"{"kind":"PodList","metadata":{"continue":""},"items":[\#(Self.pod)]}"#)])
        let list = try await client(t).list(Pod.self, namespace: "ns", labelSelector: "app.kubernetes.io/managed-by=runway,runway/pool=a", limit: 5)
        #expect(list.items.count == 1)
        let sent = try #require(t.requests.first)
        #expect(sent.caBundlePEM == Array("PEM".utf8))
        #expect(sent.url == "https://api.example:6443/api/v1/namespaces/ns/pods?labelSelector=app.kubernetes.io%2Fmanaged-by%3Drunway%2Crunway%2Fpool%3Da&limit=5")
    }

    @Test func deleteTreatsNotFoundAsGone() async throws {
        let t = FakeTransport([(404, [:], status(404, "NotFound", "gone"))])
        #expect(try await client(t).delete(Pod.self, name: "p", namespace: "ns") == .alreadyGone)
        #expect(t.requests.first?.method == "DELETE")
    }

    @Test func nonStatusBodiesStillTyped() async {
        let t = FakeTransport([(502, ["Content-Type": "text/html"], "<html>bad gateway</html>"), (200, [:], "{not json")])
        do { _ = try await client(t).get(Pod.self, name: "p", namespace: "ns"); Issue.record("no error") } catch {
            #expect(error.reason == .malformedResponse)
        }
    }

    @Test func secretDescriptionHidesValues() {
        let s = Secret(metadata: ObjectMeta(name: "jit", namespace: "ns"), values: ["jitconfig": Array("SECRETVALUE".utf8)])
        #expect(!s.description.contains("SECRETVALUE"))
        #expect(!String(describing: s).contains("U0VDUkVUVkFMVUU"))
        #expect(s.value("jitconfig") == Array("SECRETVALUE".utf8))
    }
}

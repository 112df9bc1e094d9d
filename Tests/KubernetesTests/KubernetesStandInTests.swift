import RunwayTestSupport
import AWS
import Foundation
import HTTP
import HTTPClient
import Testing
@testable import Kubernetes

/// The client against the TLS stand-in (EKS token verification, kubernetes-validate --strict).
@Suite(.serialized) struct KubernetesStandInTests {
    static let credentials = AWSCredentials(accessKeyId: "AKIDRUNWAYK8STEST", secretAccessKey: "k8s-standin-secret/EXAMPLE+KEY")

    /// One stand-in for the whole suite (each test works in its own namespace); it exits with the
    /// test process.
    final class Cluster: Sendable {
        let standIn: StandInProcess
        let transport = HTTPClient()
        let endpoint: String

        private init() async throws {
            standIn = try await StandInProcess(script: "k8s_standin.py", arguments: [
                "--cluster", "runway-test", "--region", "us-east-1",
                "--credential", "\(KubernetesStandInTests.credentials.accessKeyId):\(KubernetesStandInTests.credentials.secretAccessKey)",
                "--namespace", "lifecycle", "--namespace", "invalid", "--namespace", "runway",
            ])
            endpoint = "https://127.0.0.1:\(try standIn.int("port"))"
        }

        static func shared() async throws -> Cluster { try await Shared.instance.get() }

        private actor Shared {
            static let instance = Shared()
            var cluster: Cluster?
            func get() async throws -> Cluster {
                if let cluster { return cluster }
                let started = try await Cluster()
                cluster = started
                return started
            }
        }

        func client(ca: String = "ca", cluster: String = "runway-test", credentials: AWSCredentials = KubernetesStandInTests.credentials) throws -> KubernetesClient {
            let tokens = EKSTokenProvider(generator: EKSTokenGenerator(clusterName: cluster, region: "us-east-1"),
                                          credentials: StaticCredentialsProvider(credentials))
            return KubernetesClient(endpoint: endpoint, caBundlePEM: try standIn.file(ca), transport: transport, tokens: tokens,
                                    baseDelay: .milliseconds(10))
        }
    }

    static func runnerPod(_ name: String, pool: String = "eks-ubuntu") -> Pod {
        Pod(metadata: ObjectMeta(name: name, labels: ["app.kubernetes.io/managed-by": "runway", "runway/pool": pool]),
            spec: PodSpec(containers: [Container(
                name: "runner", image: "ghcr.io/actions/actions-runner:2.321.0", command: ["/home/runner/run.sh"],
                env: [EnvVar(name: "ACTIONS_RUNNER_INPUT_JITCONFIG", secret: name, key: "jitconfig")],
                resources: ResourceRequirements(requests: ["cpu": "2", "memory": "4Gi"], limits: ["cpu": "2", "memory": "4Gi"]))],
                activeDeadlineSeconds: 21600, terminationGracePeriodSeconds: 30))
    }

    @Test func podsAndSecretsLifecycle() async throws {
        let cluster = try await Cluster.shared()
        let kube = try cluster.client()
        let name = "runway-eks-ubuntu-42-1"
        let secret = try await kube.create(Secret(metadata: ObjectMeta(name: name, labels: ["runway/pool": "eks-ubuntu"]),
                                                  values: ["jitconfig": Array("eyJqaXQiOiJjb25maWcifQ==".utf8)]), namespace: "lifecycle")
        #expect(secret.metadata.uid != nil)
        let pod = try await kube.create(Self.runnerPod(name), namespace: "lifecycle")
        #expect(pod.metadata.namespace == "lifecycle")
        #expect(pod.status?.phase == "Pending")

        do { _ = try await kube.create(Self.runnerPod(name), namespace: "lifecycle"); Issue.record("created twice") } catch {
            #expect(error.reason == .alreadyExists)
            #expect(error.status == 409)
        }
        #expect(try await kube.createOrGet(Self.runnerPod(name), namespace: "lifecycle").metadata.uid == pod.metadata.uid)
        #expect(try await kube.get(Pod.self, name: name, namespace: "lifecycle").spec == Self.runnerPod(name).spec)
        #expect(try await kube.get(Secret.self, name: name, namespace: "lifecycle").value("jitconfig") == Array("eyJqaXQiOiJjb25maWcifQ==".utf8))

        _ = try await kube.create(Self.runnerPod("runway-eks-arm-7-1", pool: "eks-arm"), namespace: "lifecycle")
        let pool = try await kube.listAll(Pod.self, namespace: "lifecycle", labelSelector: "app.kubernetes.io/managed-by=runway,runway/pool=eks-ubuntu")
        #expect(pool.map(\.metadata.name) == [name])
        let paged = try await kube.list(Pod.self, namespace: "lifecycle", labelSelector: "app.kubernetes.io/managed-by=runway", limit: 1)
        #expect(paged.items.count == 1)
        #expect(paged.metadata.continue != nil)
        #expect(try await kube.listAll(Pod.self, namespace: "lifecycle", pageSize: 1).count == 2)

        #expect(try await kube.delete(Pod.self, name: name, namespace: "lifecycle") == .deleted)
        #expect(try await kube.delete(Pod.self, name: name, namespace: "lifecycle") == .alreadyGone)
        #expect(try await kube.delete(Secret.self, name: name, namespace: "lifecycle") == .deleted)
        do { _ = try await kube.get(Pod.self, name: name, namespace: "lifecycle"); Issue.record("still there") } catch {
            #expect(error.reason == .notFound)
        }
    }

    @Test func invalidObjectsAndMissingNamespaces() async throws {
        let cluster = try await Cluster.shared()
        let kube = try cluster.client()
        do { _ = try await kube.create(Self.runnerPod("Bad_Name"), namespace: "invalid"); Issue.record("accepted") } catch {
            #expect(error.reason == .invalid)
            #expect(error.status == 422)
        }
        do { _ = try await kube.create(Self.runnerPod("p"), namespace: "no-such-ns"); Issue.record("accepted") } catch {
            #expect(error.reason == .notFound)
        }
        do { _ = try await kube.list(Pod.self, namespace: "forbidden"); Issue.record("allowed") } catch {
            #expect(error.reason == .forbidden)
            #expect(error.status == 403)
        }
        _ = try await kube.create(Self.runnerPod("dry"), namespace: "invalid", dryRun: true)
        #expect(try await kube.listAll(Pod.self, namespace: "invalid").isEmpty)
    }

    @Test func wrongCAFailsTheHandshake() async throws {
        let cluster = try await Cluster.shared()
        let wrong = try cluster.client(ca: "wrong_ca")
        do { _ = try await wrong.list(Pod.self, namespace: "runway"); Issue.record("TLS accepted a wrong CA") } catch {
            #expect(error.reason == .transport)
            #expect(error.status == nil)
        }
        let garbage = KubernetesClient(endpoint: cluster.endpoint, caBundlePEM: Array("not a certificate".utf8), transport: cluster.transport,
                                       tokens: StaticTokenProvider("x"))
        await #expect(throws: KubernetesError.self) { try await garbage.list(Pod.self, namespace: "runway") }
    }

    @Test func tokensForAnotherClusterOrSecretAreRejected() async throws {
        let cluster = try await Cluster.shared()
        var wrongSecret = Self.credentials
        wrongSecret.secretAccessKey = "not-the-secret"
        for kube in [try cluster.client(cluster: "other-cluster"), try cluster.client(credentials: wrongSecret)] {
            do { _ = try await kube.list(Pod.self, namespace: "runway"); Issue.record("token accepted") } catch {
                #expect(error.reason == .unauthorized)
                #expect(error.status == 401)
            }
        }
    }

    @Test func throttlingIsRetriedAfterRetryAfter() async throws {
        let cluster = try await Cluster.shared()
        let poke = try await cluster.transport.execute(ClientRequest(method: "POST", url: cluster.endpoint + "/standin/throttle?count=1",
                                                                     caBundlePEM: try cluster.standIn.file("ca")))
        #expect(poke.status == 200)
        let clock = ContinuousClock()
        let start = clock.now
        #expect(try await cluster.client().list(Pod.self, namespace: "runway").items.isEmpty)
        #expect(clock.now - start >= .milliseconds(900))
    }
}

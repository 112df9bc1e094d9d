import AWS
import Foundation
import HTTP
import HTTPClient
import Testing
@testable import Kubernetes

/// The client against the TLS stand-in (EKS token verification, kubernetes-validate --strict).
@Suite(.serialized) struct KubernetesStandInTests {
    static let credentials = AWSCredentials(accessKeyId: "AKIDRUNWAYK8STEST", secretAccessKey: "k8s-standin-secret/EXAMPLE+KEY")

    struct Cluster {
        let standIn: StandInProcess
        let transport = HTTPClient()
        let endpoint: String

        init() async throws {
            standIn = try await StandInProcess(script: "k8s_standin.py", arguments: [
                "--cluster", "runway-test", "--region", "us-east-1",
                "--credential", "\(KubernetesStandInTests.credentials.accessKeyId):\(KubernetesStandInTests.credentials.secretAccessKey)",
            ])
            endpoint = "https://127.0.0.1:\(try standIn.int("port"))"
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
        let cluster = try await Cluster()
        defer { cluster.transport.shutdown() }
        let kube = try cluster.client()
        let name = "runway-eks-ubuntu-42-1"
        let secret = try await kube.create(Secret(metadata: ObjectMeta(name: name, labels: ["runway/pool": "eks-ubuntu"]),
                                                  values: ["jitconfig": Array("eyJqaXQiOiJjb25maWcifQ==".utf8)]), namespace: "runway")
        #expect(secret.metadata.uid != nil)
        let pod = try await kube.create(Self.runnerPod(name), namespace: "runway")
        #expect(pod.metadata.namespace == "runway")
        #expect(pod.status?.phase == "Pending")

        do { _ = try await kube.create(Self.runnerPod(name), namespace: "runway"); Issue.record("created twice") } catch {
            #expect(error.reason == .alreadyExists)
            #expect(error.status == 409)
        }
        #expect(try await kube.createOrGet(Self.runnerPod(name), namespace: "runway").metadata.uid == pod.metadata.uid)
        #expect(try await kube.get(Pod.self, name: name, namespace: "runway").spec == Self.runnerPod(name).spec)
        #expect(try await kube.get(Secret.self, name: name, namespace: "runway").value("jitconfig") == Array("eyJqaXQiOiJjb25maWcifQ==".utf8))

        _ = try await kube.create(Self.runnerPod("runway-eks-arm-7-1", pool: "eks-arm"), namespace: "runway")
        let pool = try await kube.listAll(Pod.self, namespace: "runway", labelSelector: "app.kubernetes.io/managed-by=runway,runway/pool=eks-ubuntu")
        #expect(pool.map(\.metadata.name) == [name])
        let paged = try await kube.list(Pod.self, namespace: "runway", labelSelector: "app.kubernetes.io/managed-by=runway", limit: 1)
        #expect(paged.items.count == 1)
        #expect(paged.metadata.continue != nil)
        #expect(try await kube.listAll(Pod.self, namespace: "runway", pageSize: 1).count == 2)

        #expect(try await kube.delete(Pod.self, name: name, namespace: "runway") == .deleted)
        #expect(try await kube.delete(Pod.self, name: name, namespace: "runway") == .alreadyGone)
        #expect(try await kube.delete(Secret.self, name: name, namespace: "runway") == .deleted)
        do { _ = try await kube.get(Pod.self, name: name, namespace: "runway"); Issue.record("still there") } catch {
            #expect(error.reason == .notFound)
        }
    }

    @Test func invalidObjectsAndMissingNamespaces() async throws {
        let cluster = try await Cluster()
        defer { cluster.transport.shutdown() }
        let kube = try cluster.client()
        do { _ = try await kube.create(Self.runnerPod("Bad_Name"), namespace: "runway"); Issue.record("accepted") } catch {
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
        _ = try await kube.create(Self.runnerPod("dry"), namespace: "runway", dryRun: true)
        #expect(try await kube.listAll(Pod.self, namespace: "runway").isEmpty)
    }

    @Test func wrongCAFailsTheHandshake() async throws {
        let cluster = try await Cluster()
        defer { cluster.transport.shutdown() }
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
        let cluster = try await Cluster()
        defer { cluster.transport.shutdown() }
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
        let cluster = try await Cluster()
        defer { cluster.transport.shutdown() }
        let poke = try await cluster.transport.execute(ClientRequest(method: "POST", url: cluster.endpoint + "/standin/throttle?count=1",
                                                                     caBundlePEM: try cluster.standIn.file("ca")))
        #expect(poke.status == 200)
        let clock = ContinuousClock()
        let start = clock.now
        #expect(try await cluster.client().list(Pod.self, namespace: "runway").items.isEmpty)
        #expect(clock.now - start >= .milliseconds(900))
    }
}

import Foundation
import Synchronization
@testable import OrchestratorCore

/// A recording EC2: keeps instances with tags, answers filters like EC2, fails on a script.
final class FakeEC2: EC2API, Sendable {
    struct State {
        var instances: [EC2InstanceInfo] = []
        var runRequests: [EC2RunRequest] = []
        var describeCalls: [[EC2InstanceFilter]] = []
        var terminateCalls: [[String]] = []
        /// Errors answered by RunInstances before any launch, in order.
        var runErrors: [EC2CallError] = []
        /// Errors by instance type/market (e.g. no spot capacity for a type), checked every call.
        var capacityRefusals: Set<String> = []
        /// Instances DescribeInstances does not show yet (eventual consistency), by id.
        var hiddenDescribes: [String: Int] = [:]
        var nextID = 1
    }
    let state = Mutex(State())
    /// Simulated latency of RunInstances (lets concurrent callers pile up).
    let runDelay: Duration

    init(runDelay: Duration = .zero) { self.runDelay = runDelay }

    func runInstances(_ request: EC2RunRequest) async throws -> EC2InstanceInfo {
        if runDelay > .zero { try await Task.sleep(for: runDelay) }
        return try state.withLock { s in
            s.runRequests.append(request)
            if !s.runErrors.isEmpty { throw s.runErrors.removeFirst() }
            let key = "\(request.spot ? "spot" : "on-demand")/\(request.instanceType)/\(request.subnetID ?? "-")"
            if s.capacityRefusals.contains(key) || s.capacityRefusals.contains("\(request.spot ? "spot" : "on-demand")/\(request.instanceType)") {
                throw EC2CallError(code: "InsufficientInstanceCapacity", message: "no capacity", requestID: "req-\(s.runRequests.count)", httpStatus: 500)
            }
            let instance = EC2InstanceInfo(
                id: String(format: "i-%017x", s.nextID), state: "pending", instanceType: request.instanceType, imageID: request.imageID,
                subnetID: request.subnetID, lifecycle: request.spot ? "spot" : nil,
                launchTime: Date(timeIntervalSince1970: 1_800_000_000 + Double(s.nextID)),
                tags: Dictionary(request.tags.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }))
            s.nextID += 1
            s.instances.append(instance)
            return instance
        }
    }

    func describeInstances(filters: [EC2InstanceFilter]) async throws -> [EC2InstanceInfo] {
        state.withLock { s in
            s.describeCalls.append(filters)
            return s.instances.filter { instance in
                if let hidden = s.hiddenDescribes[instance.id], hidden > 0 {
                    s.hiddenDescribes[instance.id] = hidden - 1
                    return false
                }
                return filters.allSatisfy { filter in
                    if filter.name == "instance-state-name" { return filter.values.contains(instance.state) }
                    if filter.name.hasPrefix("tag:") {
                        return instance.tags[String(filter.name.dropFirst(4))].map(filter.values.contains) ?? false
                    }
                    return false
                }
            }
        }
    }

    func terminateInstances(ids: [String]) async throws {
        state.withLock { s in
            s.terminateCalls.append(ids)
            for i in s.instances.indices where ids.contains(s.instances[i].id) { s.instances[i].state = "terminated" }
        }
    }

    /// Adds an instance as if launched earlier (by a crashed process).
    func seed(_ instance: EC2InstanceInfo) { state.withLock { $0.instances.append(instance) } }
    var runRequests: [EC2RunRequest] { state.withLock { $0.runRequests } }
    var instances: [EC2InstanceInfo] { state.withLock { $0.instances } }
    var terminateCalls: [[String]] { state.withLock { $0.terminateCalls } }
}

/// A recording GitHub JIT source with registrations by name.
final class FakeGitHub: JITSource, Sendable {
    struct State {
        var registrations: [String: RegisteredRunner] = [:]
        var generated: [(name: String, labels: [String], group: Int, target: RunnerTarget)] = []
        var deleted: [Int64] = []
        var down = false
        var nextID: Int64 = 100
    }
    let state = Mutex(State())

    func generate(name: String, labels: [String], runnerGroupID: Int, target: RunnerTarget) async throws -> JITConfig {
        try state.withLock { s in
            if s.down { throw JITError(.unavailable, status: 503, message: "GitHub is down") }
            s.generated.append((name, labels, runnerGroupID, target))
            s.nextID += 1
            s.registrations[name] = RegisteredRunner(id: s.nextID, name: name, busy: false, status: "offline")
            // A realistic encoded config: base64 of JSON with file contents.
            let json = #"{".runner":"eyJhZ2VudElkIjo\#(s.nextID)fQ==",".credentials":"c2VjcmV0"}"#
            return JITConfig(runnerID: s.nextID, encoded: Data(json.utf8).base64EncodedString())
        }
    }

    func find(name: String, target: RunnerTarget) async throws -> RegisteredRunner? {
        try state.withLock { s in
            if s.down { throw JITError(.unavailable, status: 502, message: "bad gateway") }
            return s.registrations[name]
        }
    }

    func delete(id: Int64, target: RunnerTarget) async throws {
        try state.withLock { s in
            if s.down { throw JITError(.unavailable, status: 502, message: "bad gateway") }
            s.deleted.append(id)
            s.registrations = s.registrations.filter { $0.value.id != id }
        }
    }

    var generatedCount: Int { state.withLock { $0.generated.count } }
    var deleted: [Int64] { state.withLock { $0.deleted } }
    func setBusy(_ name: String) { state.withLock { $0.registrations[name]?.busy = true } }
    func setDown(_ down: Bool) { state.withLock { $0.down = down } }
    func register(_ name: String, id: Int64, busy: Bool = false) {
        state.withLock { $0.registrations[name] = RegisteredRunner(id: id, name: name, busy: busy, status: "online") }
    }
    var registrations: [String: RegisteredRunner] { state.withLock { $0.registrations } }
}

/// A recording Kubernetes API with pods and secrets by namespace/name.
final class FakeKubernetes: KubernetesAPI, Sendable {
    struct State {
        var pods: [String: (manifest: PodManifest, summary: PodSummary)] = [:]
        var secrets: [String: SecretManifest] = [:]
        var podCreates = 0
        var secretCreates = 0
        var failSecretCreates = 0
        var nextUID = 1
    }
    let state = Mutex(State())
    let createDelay: Duration

    init(createDelay: Duration = .zero) { self.createDelay = createDelay }

    func createPod(_ pod: PodManifest) async throws -> PodSummary {
        if createDelay > .zero { try await Task.sleep(for: createDelay) }
        return try state.withLock { s in
            s.podCreates += 1
            let key = "\(pod.metadata.namespace)/\(pod.metadata.name)"
            if s.pods[key] != nil {
                throw KubernetesCallError(status: 409, reason: "AlreadyExists", message: "pods \"\(pod.metadata.name)\" already exists")
            }
            let summary = PodSummary(
                name: pod.metadata.name, namespace: pod.metadata.namespace, uid: "uid-\(s.nextUID)", phase: "Pending",
                createdAt: Date(timeIntervalSince1970: 1_800_000_000), labels: pod.metadata.labels ?? [:],
                annotations: pod.metadata.annotations ?? [:])
            s.nextUID += 1
            s.pods[key] = (pod, summary)
            return summary
        }
    }

    func getPod(namespace: String, name: String) async throws -> PodSummary? {
        state.withLock { $0.pods["\(namespace)/\(name)"]?.summary }
    }

    func deletePod(namespace: String, name: String) async throws -> Bool {
        state.withLock { s in
            let existed = s.pods["\(namespace)/\(name)"] != nil
            s.pods["\(namespace)/\(name)"] = nil
            // Garbage collection of owned secrets.
            s.secrets = s.secrets.filter { !($0.value.metadata.ownerReferences ?? []).contains { $0.name == name } }
            return existed
        }
    }

    func listPods(namespace: String, labelSelector: String) async throws -> [PodSummary] {
        let wanted = labelSelector.split(separator: ",").map { $0.split(separator: "=", maxSplits: 1).map(String.init) }
        return state.withLock { s in
            s.pods.values.map(\.summary).filter { pod in
                pod.namespace == namespace && wanted.allSatisfy { pod.labels[$0[0]] == $0[1] }
            }
        }
    }

    func createSecret(_ secret: SecretManifest) async throws {
        try state.withLock { s in
            s.secretCreates += 1
            if s.failSecretCreates > 0 {
                s.failSecretCreates -= 1
                throw KubernetesCallError(status: 0, reason: "Unreachable", message: "connection reset")
            }
            let key = "\(secret.metadata.namespace)/\(secret.metadata.name)"
            if s.secrets[key] != nil { throw KubernetesCallError(status: 409, reason: "AlreadyExists", message: "exists") }
            s.secrets[key] = secret
        }
    }

    func secretExists(namespace: String, name: String) async throws -> Bool {
        state.withLock { $0.secrets["\(namespace)/\(name)"] != nil }
    }

    func deleteSecret(namespace: String, name: String) async throws -> Bool {
        state.withLock { $0.secrets.removeValue(forKey: "\(namespace)/\(name)") != nil }
    }

    func probe(namespace: String) async -> String? { nil }

    var podCreates: Int { state.withLock { $0.podCreates } }
    var pods: [PodManifest] { state.withLock { $0.pods.values.map(\.manifest) } }
    var secrets: [SecretManifest] { state.withLock { Array($0.secrets.values) } }
}

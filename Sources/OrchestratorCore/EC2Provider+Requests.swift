import RunwayKit
import Signing

extension EC2Provider {
    /// Every RunInstances call to try, in order: spot first when the pool allows it, then
    /// on-demand; within a market each subnet in order, and within a subnet each instance type.
    static func runRequests(spec: LaunchSpec, settings: EC2PoolSettings, userData: String) -> [EC2RunRequest] {
        let markets = settings.spot ? [true, false] : [false]
        let subnets: [String?] = settings.subnetIDs.isEmpty ? [nil] : settings.subnetIDs.map { $0 }
        var tags: [EC2Tag] = RunnerTags.values(for: spec).map { EC2Tag($0.0, $0.1) }
        tags.append(EC2Tag("Name", spec.runnerName))
        for (key, value) in settings.tags where !key.hasPrefix("runway:") && key != "Name" {
            tags.append(EC2Tag(key, value))
        }
        tags.sort { $0.key < $1.key }
        var requests: [EC2RunRequest] = []
        for spot in markets {
            for subnet in subnets {
                for type in settings.instanceTypes {
                    requests.append(EC2RunRequest(
                        imageID: settings.imageID, instanceType: type, subnetID: subnet,
                        securityGroupIDs: settings.securityGroupIDs, instanceProfile: settings.instanceProfile,
                        userData: userData, tags: tags, spot: spot, rootVolumeGiB: settings.rootVolumeGiB,
                        rootDeviceName: "/dev/sda1", metadataHopLimit: settings.metadataHopLimit,
                        clientToken: clientToken(runnerName: spec.runnerName, combination: requests.count)))
                }
            }
        }
        return requests
    }

    /// A `ClientToken` (≤ 64 ASCII characters) derived from the runner name and the index of the
    /// capacity combination, so a repeated launch of one combination is deduplicated by EC2 while
    /// the next combination after a capacity error is a new request.
    static func clientToken(runnerName: String, combination: Int) -> String {
        let digest = Hex.encode(Digest.sha256(Array("\(runnerName)\u{0}\(combination)".utf8)))
        return "runway-" + digest.prefix(48)
    }

    static func info(_ instance: EC2InstanceInfo, pool: String) -> RunnerInfo {
        RunnerInfo(
            runnerName: instance.tags[RunnerTags.runner] ?? "", providerID: instance.id,
            pool: instance.tags[RunnerTags.pool] ?? pool, state: normalisedState(instance.state),
            launchedAt: instance.launchTime)
    }

    static func normalisedState(_ state: String) -> String {
        switch state {
        case "pending", "running", "terminated": state
        case "shutting-down", "stopping", "stopped": "stopping"
        default: state
        }
    }

    static func detail(_ instance: EC2InstanceInfo, request: EC2RunRequest? = nil) -> [String: String] {
        var detail = [
            "instance_type": instance.instanceType,
            "market": (request.map { $0.spot } ?? (instance.lifecycle == "spot")) ? "spot" : "on-demand",
        ]
        if let subnet = request?.subnetID ?? instance.subnetID { detail["subnet_id"] = subnet }
        if let image = request?.imageID ?? instance.imageID { detail["image_id"] = image }
        return detail
    }

    static func instance(from found: FoundRunner) -> EC2InstanceInfo {
        EC2InstanceInfo(
            id: found.info.providerID, state: found.info.state, instanceType: found.detail["instance_type"] ?? "",
            imageID: found.detail["image_id"], subnetID: found.detail["subnet_id"], lifecycle: found.detail["market"] == "spot" ? "spot" : nil,
            launchTime: found.info.launchedAt)
    }

    static func callError(_ error: any Error) -> EC2CallError {
        (error as? EC2CallError) ?? EC2CallError(code: "TransportError", message: "EC2 unreachable", httpStatus: 599)
    }

    static func unavailable(_ error: EC2CallError) -> OrchestratorError {
        OrchestratorError(
            .unavailable, code: error.code, message: "EC2: \(error.message)",
            retryAfter: error.kind == .throttled ? 10 : 5, nothingLaunched: error.kind == .throttled)
    }
}

import Foundation

/// Walks the parsed pools document, building typed pools and recording every problem with its
/// location (`pools[1].ec2.subnet_ids`), including unknown keys (typos are the usual mistake).
struct PoolsValidator {
    let source: String
    var problems: [String] = []

    init(source: String) {
        self.source = source
    }

    private mutating func problem(_ at: String, _ message: String) {
        problems.append("\(source): \(at): \(message)")
    }

    mutating func config(_ root: Any?) -> PoolsConfig {
        guard let map = root as? [String: Any] else {
            problem("top level", "must be a mapping with a 'pools' list")
            return PoolsConfig(pools: [])
        }
        unknownKeys(map, allowed: ["pools", "ignore_labels", "global_max_runners"], at: "top level")
        var pools: [Pool] = []
        if let list = map["pools"] as? [Any] {
            if list.isEmpty { problem("pools", "must list at least one pool") }
            for (i, item) in list.enumerated() {
                if let pool = pool(item, at: "pools[\(i)]") { pools.append(pool) }
            }
        } else {
            problem("pools", map["pools"] == nil ? "is required" : "must be a list")
        }
        var seen = Set<String>()
        for pool in pools where !seen.insert(pool.name).inserted {
            problem("pools", "name '\(pool.name)' is used twice")
        }
        let ignore = stringList(map["ignore_labels"], at: "ignore_labels") ?? PoolsConfig.defaultIgnoreLabels
        let globalMax = int(map["global_max_runners"], at: "global_max_runners", range: 1...100_000)
        return PoolsConfig(pools: pools, ignoreLabels: ignore, globalMaxRunners: globalMax)
    }

    private mutating func pool(_ item: Any, at: String) -> Pool? {
        guard let map = item as? [String: Any] else {
            problem(at, "must be a mapping")
            return nil
        }
        unknownKeys(map, allowed: [
            "name", "host", "os", "labels", "orchestrator_url", "max_runners", "launch_rate", "launch_burst",
            "idle_timeout", "max_lifetime", "max_attempts", "launch_timeout", "runner_group_id", "scope",
            "enterprise", "ec2", "eks",
        ], at: at)
        let name = string(map["name"], at: "\(at).name", required: true) ?? ""
        let at = name.isEmpty ? at : "\(at) (\(name))"
        if !name.isEmpty, !Self.isValidName(name) {
            problem("\(at).name", "must be 1-40 lowercase letters, digits or '-', starting with a letter")
        }
        let host = enumValue(PoolHost.self, map["host"], at: "\(at).host")
        let os = enumValue(PoolOS.self, map["os"], at: "\(at).os")
        let labels = stringList(map["labels"], at: "\(at).labels") ?? []
        if labels.isEmpty { problem("\(at).labels", "must list at least one label") }
        if labels.count > 50 { problem("\(at).labels", "at most 50 labels") }
        let url = string(map["orchestrator_url"], at: "\(at).orchestrator_url", required: true)
        if let url, !Self.isHTTPURL(url) { problem("\(at).orchestrator_url", "must be an http:// or https:// URL") }
        let maxRunners = int(map["max_runners"], at: "\(at).max_runners", range: 1...100_000) ?? 10
        let rate = double(map["launch_rate"], at: "\(at).launch_rate", range: 0.001...10_000) ?? 2
        let burst = int(map["launch_burst"], at: "\(at).launch_burst", range: 1...100_000) ?? max(1, Int(rate.rounded(.up)))
        let scope = map["scope"] == nil ? .org : (enumValue(RunnerScope.self, map["scope"], at: "\(at).scope") ?? .org)
        let enterprise = string(map["enterprise"], at: "\(at).enterprise")
        if scope == .enterprise && enterprise == nil { problem("\(at).enterprise", "is required when scope is enterprise") }

        var ec2: EC2PoolSettings?
        var eks: EKSPoolSettings?
        switch host {
        case .ec2?:
            if map["eks"] != nil { problem("\(at).eks", "given for an ec2 pool") }
            ec2 = ec2Settings(map["ec2"], os: os ?? .ubuntu, at: "\(at).ec2")
        case .eks?:
            if map["ec2"] != nil { problem("\(at).ec2", "given for an eks pool") }
            if os == .windows { problem("\(at).os", "eks pools run Linux pods; use os: ubuntu") }
            eks = eksSettings(map["eks"], at: "\(at).eks")
        case nil:
            break
        }
        guard let host, let os, let url, !name.isEmpty else { return nil }
        return Pool(
            name: name, host: host, os: os, labels: labels, orchestratorURL: Self.trimSlash(url), maxRunners: maxRunners,
            launchRate: rate, launchBurst: burst,
            idleTimeout: duration(map["idle_timeout"], at: "\(at).idle_timeout") ?? .seconds(600),
            maxLifetime: duration(map["max_lifetime"], at: "\(at).max_lifetime") ?? .seconds(6 * 3600),
            maxAttempts: int(map["max_attempts"], at: "\(at).max_attempts", range: 1...100) ?? 5,
            launchTimeout: duration(map["launch_timeout"], at: "\(at).launch_timeout") ?? .seconds(900),
            runnerGroupID: int(map["runner_group_id"], at: "\(at).runner_group_id", range: 1...Int(Int32.max)) ?? 1,
            scope: scope, enterprise: enterprise, ec2: ec2, eks: eks)
    }

    private mutating func ec2Settings(_ item: Any?, os: PoolOS, at: String) -> EC2PoolSettings? {
        guard let map = item as? [String: Any] else {
            problem(at, item == nil ? "is required for an ec2 pool" : "must be a mapping")
            return nil
        }
        unknownKeys(map, allowed: [
            "image_id", "instance_types", "subnet_ids", "security_group_ids", "instance_profile", "spot",
            "root_volume_gib", "runner_path", "runner_version", "tags", "metadata_hop_limit",
        ], at: at)
        let image = string(map["image_id"], at: "\(at).image_id", required: true)
        let types = stringList(map["instance_types"], at: "\(at).instance_types") ?? []
        if types.isEmpty { problem("\(at).instance_types", "must list at least one instance type") }
        let subnets = stringList(map["subnet_ids"], at: "\(at).subnet_ids") ?? []
        if subnets.isEmpty { problem("\(at).subnet_ids", "must list at least one subnet") }
        let groups = stringList(map["security_group_ids"], at: "\(at).security_group_ids") ?? []
        let defaultPath = os == .windows ? "C:\\actions-runner" : "/home/runner"
        guard let image else { return nil }
        return EC2PoolSettings(
            imageID: image, instanceTypes: types, subnetIDs: subnets, securityGroupIDs: groups,
            instanceProfile: string(map["instance_profile"], at: "\(at).instance_profile"),
            spot: bool(map["spot"], at: "\(at).spot") ?? false,
            rootVolumeGiB: int(map["root_volume_gib"], at: "\(at).root_volume_gib", range: 8...16_384),
            runnerPath: string(map["runner_path"], at: "\(at).runner_path") ?? defaultPath,
            runnerVersion: string(map["runner_version"], at: "\(at).runner_version"),
            tags: stringMap(map["tags"], at: "\(at).tags") ?? [:],
            metadataHopLimit: int(map["metadata_hop_limit"], at: "\(at).metadata_hop_limit", range: 1...64) ?? 1)
    }

    private mutating func eksSettings(_ item: Any?, at: String) -> EKSPoolSettings? {
        guard let map = item as? [String: Any] else {
            problem(at, item == nil ? "is required for an eks pool" : "must be a mapping")
            return nil
        }
        unknownKeys(map, allowed: ["cluster", "namespace", "image", "resources", "node_selector", "tolerations", "service_account"], at: at)
        let cluster = string(map["cluster"], at: "\(at).cluster", required: true)
        var requests: [String: String] = [:], limits: [String: String] = [:]
        if let resources = map["resources"] {
            if let r = resources as? [String: Any] {
                unknownKeys(r, allowed: ["requests", "limits"], at: "\(at).resources")
                requests = stringMap(r["requests"], at: "\(at).resources.requests") ?? [:]
                limits = stringMap(r["limits"], at: "\(at).resources.limits") ?? [:]
            } else {
                problem("\(at).resources", "must be a mapping with requests/limits")
            }
        }
        var tolerations: [[String: String]] = []
        if let list = map["tolerations"] {
            if let items = list as? [Any] {
                for (i, t) in items.enumerated() {
                    if let m = stringMap(t, at: "\(at).tolerations[\(i)]") { tolerations.append(m) }
                }
            } else {
                problem("\(at).tolerations", "must be a list")
            }
        }
        let namespace = string(map["namespace"], at: "\(at).namespace") ?? "runway-runners"
        guard let cluster else { return nil }
        return EKSPoolSettings(
            cluster: cluster, namespace: namespace,
            image: string(map["image"], at: "\(at).image") ?? EKSPoolSettings.defaultImage,
            requests: requests, limits: limits,
            nodeSelector: stringMap(map["node_selector"], at: "\(at).node_selector") ?? [:],
            tolerations: tolerations,
            serviceAccount: string(map["service_account"], at: "\(at).service_account"))
    }
}

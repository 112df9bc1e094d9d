import AWS
import Foundation
import Logging

/// `EC2API` over the AWS module's `EC2Client`.
public struct AWSEC2Adapter: EC2API {
    let client: EC2Client
    let logger: Logger

    /// Creates the adapter. Give `client` a retry policy of one attempt: the Orchestrator's
    /// `RetryBudget` owns retries (and looks the runner up between them).
    public init(client: EC2Client, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func runInstances(_ request: EC2RunRequest) async throws -> EC2InstanceInfo {
        do {
            let result = try await client.runInstances(Self.runInstancesRequest(request))
            guard let instance = result.instances.first else {
                throw EC2CallError(code: "MalformedResponse", message: "RunInstances returned no instance", requestID: result.requestId)
            }
            return Self.info(instance)
        } catch let error as AWSError {
            throw Self.callError(error)
        }
    }

    public func describeInstances(filters: [EC2InstanceFilter]) async throws -> [EC2InstanceInfo] {
        var all: [EC2InstanceInfo] = []
        try await describeInstances(filters: filters) { all += $0 }
        return all
    }

    public func describeInstances(filters: [EC2InstanceFilter], page: (_ instances: [EC2InstanceInfo]) -> Void) async throws {
        let awsFilters = filters.map { AWS.EC2Filter($0.name, $0.values) }
        var token: String?
        var seen = 0
        do {
            for _ in 0..<Self.maxPages {
                let answer = try await client.describeInstances(filters: awsFilters, maxResults: Self.pageSize, nextToken: token)
                seen += answer.instances.count
                page(answer.instances.map(Self.info))
                guard let next = answer.nextToken, !next.isEmpty else { return }
                token = next
            }
        } catch {
            throw Self.callError(error)
        }
        logger.warning("DescribeInstances stopped at the page limit", metadata: ["ec2.instances": "\(seen)"])
    }

    /// Instances per DescribeInstances page.
    static let pageSize = 100
    /// Pages followed per listing: 100,000 instances, far past any pool's `max_runners`.
    static let maxPages = 1000

    public func terminateInstances(ids: [String]) async throws {
        do {
            _ = try await client.terminateInstances(ids)
        } catch {
            throw Self.callError(error)
        }
    }

    /// The AWS module's request for exactly the parameters of `request`.
    static func runInstancesRequest(_ request: EC2RunRequest) -> RunInstancesRequest {
        var r = RunInstancesRequest(imageId: request.imageID, instanceType: request.instanceType)
        r.subnetId = request.subnetID
        r.securityGroupIds = request.securityGroupIDs
        r.userData = Array(request.userData.utf8)
        if let profile = request.instanceProfile {
            r.iamInstanceProfile = profile.hasPrefix("arn:") ? .arn(profile) : .name(profile)
        }
        r.instanceInitiatedShutdownBehavior = request.shutdownBehavior
        r.metadataOptions = .init(httpTokens: "required", httpEndpoint: "enabled", httpPutResponseHopLimit: request.metadataHopLimit)
        r.clientToken = request.clientToken
        r.spot = request.spot ? .init() : nil
        let tags = request.tags.map { RunInstancesRequest.Tag($0.key, $0.value) }
        r.tagSpecifications = [.init(resourceType: "instance", tags: tags), .init(resourceType: "volume", tags: tags)]
        if let size = request.rootVolumeGiB {
            r.rootVolume = .init(deviceName: request.rootDeviceName, sizeGiB: size)
        }
        return r
    }

    static func info(_ instance: AWS.EC2Instance) -> EC2InstanceInfo {
        EC2InstanceInfo(
            id: instance.instanceId, state: instance.state.rawValue, instanceType: instance.instanceType ?? "",
            imageID: instance.imageId, subnetID: instance.subnetId, lifecycle: instance.instanceLifecycle,
            launchTime: instance.launchTime, tags: instance.tags)
    }

    static func callError(_ error: AWSError) -> EC2CallError {
        EC2CallError(code: error.code.rawValue, message: error.message, requestID: error.requestId, httpStatus: error.status)
    }
}

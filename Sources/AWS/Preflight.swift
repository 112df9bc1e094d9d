/// Checks that an EC2 pool can launch: the image exists and is available, and every subnet and
/// security group exists. Returns every problem found (one line each), empty when all is well.
public func preflight(ec2: EC2Client, imageId: String, subnetIds: [String], securityGroupIds: [String]) async -> [String] {
    var problems: [String] = []
    do {
        let images = try await ec2.describeImages([imageId])
        if let image = images.first(where: { $0.imageId == imageId }) {
            if let state = image.state, state != "available" { problems.append("image \(imageId) is \(state), not available") }
        } else {
            problems.append("image \(imageId) does not exist or is not visible to this account")
        }
    } catch {
        problems.append(describe("image \(imageId)", error))
    }
    for id in subnetIds {
        do {
            let subnets = try await ec2.describeSubnets([id])
            if !subnets.contains(where: { $0.subnetId == id }) { problems.append("subnet \(id) does not exist") }
        } catch {
            problems.append(describe("subnet \(id)", error))
        }
    }
    for id in securityGroupIds {
        do {
            let groups = try await ec2.describeSecurityGroups([id])
            if !groups.contains(where: { $0.groupId == id }) { problems.append("security group \(id) does not exist") }
        } catch {
            problems.append(describe("security group \(id)", error))
        }
    }
    return problems
}

private func describe(_ what: String, _ error: AWSError) -> String {
    if error.code.rawValue.hasSuffix(".NotFound") || error.code.rawValue.hasSuffix(".Malformed") {
        return "\(what) does not exist (\(error.code))"
    }
    return "\(what): \(error.code): \(error.message)"
}

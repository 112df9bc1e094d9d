import Foundation
import HTTP
import HTTPClient
import Testing
@testable import AWS

/// STS, EC2 and EKS against moto with SigV4 checking on.
@Suite(.serialized) struct MotoIntegrationTests {
    @Test func stsAcceptsGoodSignatureRejectsWrongSecretAndTamperedSignature() async throws {
        let moto = try Moto()
        defer { moto.transport.shutdown() }
        let identity = try await STSClient(client: try moto.client()).getCallerIdentity()
        #expect(identity.arn.hasSuffix(":user/runway-test"))
        #expect(!identity.account.isEmpty)
        for client in [try moto.client(credentials: moto.wrongSecret), try moto.client(transport: TamperingTransport(inner: moto.transport))] {
            do { _ = try await STSClient(client: client).getCallerIdentity(); Issue.record("accepted a bad signature") } catch {
                #expect(error.code == .signatureDoesNotMatch)
                #expect(error.status == 403)
                #expect(!error.retryable)
            }
        }
    }

    @Test func ec2RejectsWrongSecretAndTamperedSignature() async throws {
        let moto = try Moto()
        defer { moto.transport.shutdown() }
        _ = try await EC2Client(client: try moto.client()).describeInstances(filters: [.tag("runway:test", "none")])
        for client in [try moto.client(credentials: moto.wrongSecret), try moto.client(transport: TamperingTransport(inner: moto.transport))] {
            do { _ = try await EC2Client(client: client).describeInstances(); Issue.record("accepted a bad signature") } catch {
                #expect(error.code == .authFailure || error.code == .signatureDoesNotMatch)
                #expect(error.status == 401 || error.status == 403)
            }
        }
    }

    @Test func eksDescribeClusterSignedAndRejected() async throws {
        let moto = try Moto()
        defer { moto.transport.shutdown() }
        let client = try moto.client()
        let name = "runway-\(UUID().uuidString.prefix(8).lowercased())"
        let create = #"{"name":"\#(name)","roleArn":"arn:aws:iam::123456789012:role/eks","resourcesVpcConfig":{"subnetIds":[]}}"#
        _ = try await client.send(service: .eks, operation: "CreateCluster", method: "POST", path: "/clusters",
                                  headers: ["Content-Type": "application/json"], body: Array(create.utf8), decodeError: AWSErrorDecoding.json)
        let cluster = try await EKSClient(client: client).describeCluster(name)
        #expect(cluster.name == name)
        #expect(cluster.status == "ACTIVE" || cluster.status == "CREATING")
        do { _ = try await EKSClient(client: client).describeCluster("no-such-cluster"); Issue.record("found a missing cluster") } catch {
            #expect(error.code == .resourceNotFound)
            #expect(error.status == 404)
        }
        for bad in [try moto.client(credentials: moto.wrongSecret), try moto.client(transport: TamperingTransport(inner: moto.transport))] {
            do { _ = try await EKSClient(client: bad).describeCluster(name); Issue.record("accepted a bad signature") } catch {
                #expect(error.status == 403)
                #expect(!error.retryable)
            }
        }
    }
}

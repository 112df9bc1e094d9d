import Foundation
import Testing
import HTTP
import HTTPClient
@testable import AWS

@Suite struct AWSClientTests {
    @Test func throttlingIsRetriedThenSucceeds() async throws {
        let ok = TestAWS.response(200, try Fixture.text("ec2/libcloud/terminate_instances.xml"))
        let transport = FakeTransport([TestAWS.ec2Error("RequestLimitExceeded", status: 503), .failure(HTTPClientError(code: .timeout, message: "t")), ok])
        let ec2 = EC2Client(client: try TestAWS.client(transport))
        let changes = try await ec2.terminateInstances(["i-4382922a"])
        #expect(changes.count == 1)
        #expect(transport.requests.count == 3)
    }

    @Test func retriesStopAfterMaxAttempts() async throws {
        let transport = FakeTransport([TestAWS.ec2Error("InternalError", status: 500)])
        let ec2 = EC2Client(client: try TestAWS.client(transport, attempts: 3))
        await #expect(throws: AWSError.self) { try await ec2.terminateInstances(["i-1"]) }
        #expect(transport.requests.count == 3)
    }

    @Test(arguments: [
        ("IdempotentParameterMismatch", 400, false, false), ("UnauthorizedOperation", 403, false, false),
        ("InvalidParameterValue", 400, false, false), ("InstanceLimitExceeded", 400, false, false),
        ("InsufficientInstanceCapacity", 500, true, false), ("RequestLimitExceeded", 503, true, true),
        ("InvalidInstanceID.NotFound", 400, true, true), ("AuthFailure", 401, false, false),
    ])
    func classification(code: String, status: Int, retryable: Bool, immediately: Bool) async throws {
        let transport = FakeTransport([TestAWS.ec2Error(code, status: status)])
        let ec2 = EC2Client(client: try TestAWS.client(transport, attempts: 2))
        do {
            _ = try await ec2.runInstances(RunInstancesRequest(imageId: "ami-1", instanceType: "t3.micro"))
            Issue.record("expected an error")
        } catch {
            #expect(error.code.rawValue == code)
            #expect(error.requestId == "req-1")
            #expect(error.status == status)
            #expect(error.retryable == retryable)
            #expect(error.retryImmediately == immediately)
            #expect(transport.requests.count == (immediately ? 2 : 1))
        }
    }

    @Test func htmlProxyPageIsATypedRetryableError() async throws {
        let transport = FakeTransport([TestAWS.response(502, "<html><body>Bad Gateway</body></html>", headers: ["Content-Type": "text/html"])])
        let sts = STSClient(client: try TestAWS.client(transport, attempts: 1))
        do { _ = try await sts.getCallerIdentity(); Issue.record("expected an error") } catch {
            #expect(error.code == "HTTP502")
            #expect(error.retryable)
            #expect(error.message.contains("HTML"))
        }
    }

    @Test func signatureMismatchMessageDoesNotQuoteCanonicalRequest() {
        let body = """
        <ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match. \
        The Canonical String for this request should have been 'POST / x-amz-security-token:SECRET'</Message></Error><RequestId>abc</RequestId></ErrorResponse>
        """
        let error = AWSErrorDecoding.xml(.init(status: 403, headers: [:], body: Array(body.utf8)))
        #expect(error.code == .signatureDoesNotMatch)
        #expect(error.requestId == "abc")
        #expect(!error.message.contains("SECRET"))
        #expect(!error.description.contains("SECRET"))
    }

    @Test func eksJSONErrorsUseErrorTypeHeader() {
        let response = ClientResponse(status: 404, headers: ["x-amzn-ErrorType": "ResourceNotFoundException:http://internal.amazon.com/", "x-amzn-RequestId": "rid"],
                                      body: Array(#"{"message":"No cluster found for name: x."}"#.utf8))
        let error = AWSErrorDecoding.json(response)
        #expect(error.code == .resourceNotFound)
        #expect(error.requestId == "rid")
        #expect(error.message == "No cluster found for name: x.")
        #expect(!error.retryable)
    }

    @Test func getCallerIdentityDecodes() async throws {
        let xml = """
        <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>\
        <Arn>arn:aws:iam::123456789012:user/runway</Arn><UserId>AIDA</UserId><Account>123456789012</Account>\
        </GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>
        """
        let transport = FakeTransport(body: xml)
        let identity = try await STSClient(client: try TestAWS.client(transport)).getCallerIdentity()
        #expect(identity == CallerIdentity(account: "123456789012", arn: "arn:aws:iam::123456789012:user/runway", userId: "AIDA"))
        #expect(transport.requests.first?.url == "https://sts.us-east-1.amazonaws.com/")
        #expect(String(decoding: transport.requests[0].body, as: UTF8.self) == "Action=GetCallerIdentity&Version=2011-06-15")
    }

    @Test func describeClusterDecodesFixture() async throws {
        let transport = FakeTransport(body: try Fixture.text("eks/describe-cluster.200.json"))
        let cluster = try await EKSClient(client: try TestAWS.client(transport)).describeCluster("devel")
        #expect(cluster.name == "devel")
        #expect(cluster.status == "ACTIVE")
        #expect(cluster.endpoint?.hasPrefix("https://") == true)
        #expect(cluster.certificateAuthorityPEM?.isEmpty == false)
        let sent = try #require(transport.requests.first)
        #expect(sent.method == "GET" && sent.url == "https://eks.us-east-1.amazonaws.com/clusters/devel")
        #expect(sent.headers["X-Amz-Content-Sha256"] == SigV4Signer.emptyPayloadHash)
    }

    @Test func describeClusterRejectsBadCA() {
        let body = #"{"cluster":{"name":"c","certificateAuthority":{"data":"%%% not base64"}}}"#
        #expect(throws: AWSError.self) { try EKSClient.decodeCluster(Array(body.utf8)) }
    }
}

@Suite struct AWSConfigurationTests {
    @Test func endpointResolutionOrder() throws {
        let env = ["AWS_REGION": "eu-west-1", "AWS_ENDPOINT_URL": "http://127.0.0.1:5000/", "AWS_ENDPOINT_URL_EKS": "http://127.0.0.1:6000"]
        let config = try AWSConfiguration(environment: env)
        #expect(config.region == "eu-west-1")
        #expect(config.endpoint(for: .eks) == "http://127.0.0.1:6000")
        #expect(config.endpoint(for: .ec2) == "http://127.0.0.1:5000")
        let plain = try AWSConfiguration(environment: ["AWS_DEFAULT_REGION": "cn-north-1"])
        #expect(plain.endpoint(for: .sts) == "https://sts.cn-north-1.amazonaws.com.cn")
        #expect(try AWSConfiguration(environment: ["AWS_REGION": "us-east-2", "AWS_DEFAULT_REGION": "x"]).endpoint(for: .ec2) == "https://ec2.us-east-2.amazonaws.com")
    }

    @Test(arguments: ["", "useast1", "US-EAST-1", "us-east-1/../x", "us-east-x", "us..east-1", "us-east-1.evil.com"])
    func invalidRegions(_ region: String) {
        #expect(throws: AWSError.self) { try AWSConfiguration(environment: ["AWS_REGION": region]) }
    }

    @Test(arguments: ["us-east-1", "us-gov-west-1", "ap-southeast-5", "cn-northwest-1", "eu-central-2"])
    func validRegions(_ region: String) throws {
        #expect(try AWSConfiguration(environment: ["AWS_REGION": region]).region == region)
    }
}

@Suite struct AWSBadInputTests {
    @Test func expiredTokenIsNotRetried() async throws {
        let body = "<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message></Error><RequestId>e1</RequestId></ErrorResponse>"
        let transport = FakeTransport([TestAWS.response(403, body)])
        let sts = STSClient(client: try TestAWS.client(transport))
        do { _ = try await sts.getCallerIdentity(); Issue.record("no error") } catch {
            #expect(error.code == .expiredToken)
            #expect(error.requestId == "e1")
            #expect(!error.retryable)
            #expect(transport.requests.count == 1)
        }
    }

    @Test(arguments: ["", "{", #"{"cluster":"#, "<html>oops</html>", #"{"cluster":{}}"#])
    func truncatedEKSBodiesAreTyped(_ body: String) {
        do { _ = try EKSClient.decodeCluster(Array(body.utf8)); Issue.record("decoded") } catch {
            #expect(error.code == .malformedResponse)
        }
    }

    @Test(arguments: ["<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>a</Arn>", "not xml", "<Other/>"])
    func truncatedSTSBodiesAreTyped(_ body: String) {
        #expect(throws: AWSError.self) { try STSClient.decodeCallerIdentity(Array(body.utf8)) }
    }

    @Test func rootVolumeParameters() {
        var r = RunInstancesRequest(imageId: "ami-1", instanceType: "t3.micro")
        r.rootVolume = .init(deviceName: "/dev/sda1", sizeGiB: 64)
        let p = Dictionary(r.queryParameters, uniquingKeysWith: { a, _ in a })
        #expect(p["BlockDeviceMapping.1.DeviceName"] == "/dev/sda1")
        #expect(p["BlockDeviceMapping.1.Ebs.VolumeSize"] == "64")
        #expect(p["BlockDeviceMapping.1.Ebs.VolumeType"] == "gp3")
        #expect(p["BlockDeviceMapping.1.Ebs.DeleteOnTermination"] == "true")
    }

    @Test func credentialsDescriptionHidesSecrets() {
        let c = AWSCredentials(accessKeyId: "ASIAX", secretAccessKey: "SECRETKEY", sessionToken: "SESSIONTOKEN")
        #expect(!c.description.contains("SECRETKEY"))
        #expect(!c.description.contains("SESSIONTOKEN"))
        #expect(!String(describing: c).contains("SECRETKEY"))
    }
}

@Suite struct AWSCancellationTests {
    struct CancellingTransport: HTTPTransport {
        func execute(_ request: ClientRequest) async throws -> ClientResponse { throw CancellationError() }
    }

    @Test func cancellationIsNotRetried() async throws {
        let client = AWSClient(transport: CancellingTransport(), credentials: StaticCredentialsProvider(TestAWS.credentials),
                               configuration: try AWSConfiguration(region: "us-east-1"))
        do { _ = try await STSClient(client: client).getCallerIdentity(); Issue.record("no error") } catch {
            #expect(error.code == "Cancelled")
            #expect(!error.retryable)
        }
    }
}

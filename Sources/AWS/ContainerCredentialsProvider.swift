import Foundation
import HTTP
import HTTPClient

/// ECS task roles (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`, resolved against
/// `http://169.254.170.2`) and EKS Pod Identity (`AWS_CONTAINER_CREDENTIALS_FULL_URI` with
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` or `AWS_CONTAINER_AUTHORIZATION_TOKEN`).
///
/// A full URI must be https, or http to a loopback address or one of the container-credential
/// link-local hosts (as the AWS SDKs require). The token file is re-read on every refresh.
public struct ContainerCredentialsProvider: AWSCredentialsProvider {
    let url: String
    let tokenFile: String?
    let token: String?
    let transport: any HTTPTransport

    /// Reads the variables from `environment`; throws when they are missing or the URI is not allowed.
    public init(environment: [String: String], transport: any HTTPTransport) throws(AWSError) {
        if let relative = AWSConfiguration.nonEmpty(environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"]) {
            url = "http://169.254.170.2" + (relative.hasPrefix("/") ? relative : "/" + relative)
        } else if let full = AWSConfiguration.nonEmpty(environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"]) {
            guard Self.isAllowed(full) else {
                throw AWSError(code: .credentialsProvider, message: "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or a loopback/link-local http URL", retryable: false)
            }
            url = full
        } else {
            throw AWSError(code: .noCredentials, message: "no container credentials URI is set", retryable: false)
        }
        tokenFile = AWSConfiguration.nonEmpty(environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"])
        token = AWSConfiguration.nonEmpty(environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"])
        self.transport = transport
    }

    /// Whether a container credentials URI is set.
    public static func isConfigured(_ environment: [String: String]) -> Bool {
        AWSConfiguration.nonEmpty(environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"]) != nil
            || AWSConfiguration.nonEmpty(environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"]) != nil
    }

    static func isAllowed(_ url: String) -> Bool {
        if url.hasPrefix("https://") { return true }
        guard url.hasPrefix("http://"), let parsed = SigV4URL(url) else { return false }
        var host = parsed.host
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") { host = String(host[host.index(after: host.startIndex)..<close]) }
        else if let colon = host.lastIndex(of: ":") { host = String(host[..<colon]) }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        let loopbackV4 = octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
        return host == "localhost" || loopbackV4 || host == "::1"
            || host == "169.254.170.2" || host == "169.254.170.23" || host.lowercased() == "fd00:ec2::23"
    }

    public func credentials() async throws -> AWSCredentials {
        var headers = HTTPHeaders()
        if let tokenFile {
            guard let value = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
                throw AWSError(code: .credentialsProvider, message: "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", retryable: true)
            }
            headers.add("Authorization", value.trimmingWhitespace())
        } else if let token {
            headers.add("Authorization", token)
        }
        let request = ClientRequest(method: "GET", url: url, headers: headers, timeout: .seconds(5), connectTimeout: .seconds(2),
                                    retry: RetryPolicy())
        let response: ClientResponse
        do { response = try await transport.execute(request) } catch { throw AWSError.transport(error) }
        guard response.status == 200 else {
            throw AWSError(code: .credentialsProvider, message: "container credentials endpoint answered HTTP \(response.status)",
                           status: response.status, retryable: response.status >= 500)
        }
        return try ProviderJSON.decode(response.body, source: "container credentials endpoint")
    }
}

/// The JSON document container endpoints and IMDS return.
enum ProviderJSON {
    struct Document: Decodable {
        var Code: String?
        var AccessKeyId: String?
        var SecretAccessKey: String?
        var Token: String?
        var Expiration: String?
    }

    static func decode(_ body: [UInt8], source: String) throws(AWSError) -> AWSCredentials {
        guard let doc = try? JSONDecoder().decode(Document.self, from: Data(body)) else {
            throw AWSError.malformed("\(source) did not answer with a credentials document", status: 200, requestId: nil)
        }
        if let code = doc.Code, code != "Success" {
            throw AWSError(code: .credentialsProvider, message: "\(source) reported \(code.prefix(60))", retryable: true)
        }
        guard let key = doc.AccessKeyId, let secret = doc.SecretAccessKey else {
            throw AWSError.malformed("\(source) answered without AccessKeyId/SecretAccessKey", status: 200, requestId: nil)
        }
        return AWSCredentials(accessKeyId: key, secretAccessKey: secret, sessionToken: doc.Token,
                              expiration: doc.Expiration.flatMap(EC2Decoding.parseDate))
    }
}

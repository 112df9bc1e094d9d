import Foundation
import HTTP
import HTTPClient
import Signing

/// AWS Signature Version 4, as a pure function of request, credentials and an injected date.
///
/// Header signing adds `X-Amz-Date`, `X-Amz-Security-Token` (session credentials),
/// `X-Amz-Content-Sha256` (unless disabled) and `Authorization`; `presign` produces a URL
/// carrying the signature in its query (`X-Amz-Expires`). The derived signing key is cached
/// per day, so signing one request costs two SHA-256 runs and one HMAC.
public struct SigV4Signer: Sendable {
    /// How the canonical request is built.
    public struct Options: Sendable {
        /// Remove `.`/`..` segments and repeated slashes from the path (default true; S3 uses false).
        public var normalizePath: Bool
        /// Send and sign `x-amz-content-sha256` (default true: moto needs it to verify GETs).
        public var addContentSHA256Header: Bool
        /// Sign the session token as `X-Amz-Security-Token` (default true; false adds it after signing).
        public var signSessionToken: Bool

        /// Creates options; the defaults suit EC2, STS and EKS.
        public init(normalizePath: Bool = true, addContentSHA256Header: Bool = true, signSessionToken: Bool = true) {
            self.normalizePath = normalizePath
            self.addContentSHA256Header = addContentSHA256Header
            self.signSessionToken = signSessionToken
        }
    }

    /// The intermediate values of one signature, for tests and debugging (contains no secret).
    public struct Components: Sendable {
        /// The canonical request.
        public var canonicalRequest: String
        /// The string to sign.
        public var stringToSign: String
        /// Lower-case signed header names joined with `;`.
        public var signedHeaders: String
        /// The hex signature.
        public var signature: String
    }

    /// Signing region, e.g. `us-east-1`.
    public let region: String
    /// Signing service name, e.g. `ec2`, `sts`, `eks`.
    public let service: String
    /// Canonicalisation options.
    public let options: Options
    private let keyCache = SigningKeyCache()

    static let algorithm = "AWS4-HMAC-SHA256"
    static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// Creates a signer for one region and service.
    public init(region: String, service: String, options: Options = Options()) {
        self.region = region
        self.service = service
        self.options = options
    }

    /// Returns `request` with the SigV4 headers added; throws `AWSError` (`InvalidURL`) when
    /// the URL is not absolute.
    public func sign(_ request: ClientRequest, credentials: AWSCredentials, date: Date) throws(AWSError) -> ClientRequest {
        let (signed, _) = try signHeaders(request, credentials: credentials, date: date, wantComponents: false)
        return signed
    }

    /// The canonical request, string to sign and signature `sign` would produce.
    public func components(_ request: ClientRequest, credentials: AWSCredentials, date: Date) throws(AWSError) -> Components {
        let (_, components) = try signHeaders(request, credentials: credentials, date: date, wantComponents: true)
        return components!
    }

    private func signHeaders(
        _ request: ClientRequest, credentials: AWSCredentials, date: Date, wantComponents: Bool
    ) throws(AWSError) -> (ClientRequest, Components?) {
        guard let url = SigV4URL(request.url) else { throw AWSError.invalidURL() }
        let amzDate = AMZDate(date)
        let payloadHash = SigV4Encoding.hex(Digest.sha256(request.body))
        var out = request
        out.headers.set("X-Amz-Date", amzDate.full)
        if let token = credentials.sessionToken {
            if options.signSessionToken { out.headers.set("X-Amz-Security-Token", token) } else { out.headers.remove("X-Amz-Security-Token") }
        }
        if options.addContentSHA256Header { out.headers.set("X-Amz-Content-Sha256", payloadHash) }

        let query = SigV4Encoding.parseQuery(url.queryBytes)
        let canonical = canonicalRequest(method: request.method, url: url, query: query, headers: out.headers, payloadHash: payloadHash)
        let scope = "\(amzDate.day)/\(region)/\(service)/aws4_request"
        let sts = stringToSign(amzDate: amzDate.full, scope: scope, canonicalRequest: canonical.bytes)
        let signature = SigV4Encoding.hex(Digest.hmacSHA256(key: signingKey(credentials, day: amzDate.day), data: sts))
        out.headers.set(
            "Authorization",
            "\(Self.algorithm) Credential=\(credentials.accessKeyId)/\(scope), SignedHeaders=\(canonical.signedHeaders), Signature=\(signature)"
        )
        if let token = credentials.sessionToken, !options.signSessionToken { out.headers.set("X-Amz-Security-Token", token) }
        let components = wantComponents
            ? Components(canonicalRequest: String(decoding: canonical.bytes, as: UTF8.self), stringToSign: String(decoding: sts, as: UTF8.self),
                         signedHeaders: canonical.signedHeaders, signature: signature)
            : nil
        return (out, components)
    }

    /// The derived key for `day` (cached; recomputed when the day or the key changes).
    func signingKey(_ credentials: AWSCredentials, day: String) -> [UInt8] {
        if let key = keyCache.lookup(accessKeyId: credentials.accessKeyId, secret: credentials.secretAccessKey, day: day) {
            return key
        }
        let kDate = Digest.hmacSHA256(key: Array(("AWS4" + credentials.secretAccessKey).utf8), data: Array(day.utf8))
        let kRegion = Digest.hmacSHA256(key: kDate, data: Array(region.utf8))
        let kService = Digest.hmacSHA256(key: kRegion, data: Array(service.utf8))
        let kSigning = Digest.hmacSHA256(key: kService, data: Array("aws4_request".utf8))
        keyCache.store(accessKeyId: credentials.accessKeyId, secret: credentials.secretAccessKey, day: day, key: kSigning)
        return kSigning
    }

    func stringToSign(amzDate: String, scope: String, canonicalRequest: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128)
        out.append(contentsOf: Self.algorithm.utf8)
        out.append(0x0A)
        out.append(contentsOf: amzDate.utf8)
        out.append(0x0A)
        out.append(contentsOf: scope.utf8)
        out.append(0x0A)
        SigV4Encoding.appendHex(Digest.sha256(canonicalRequest), to: &out)
        return out
    }

    /// Builds the canonical request bytes and the signed-header list.
    func canonicalRequest(
        method: String, url: SigV4URL, query: [([UInt8], [UInt8])], headers: HTTPHeaders, payloadHash: String
    ) -> (bytes: [UInt8], signedHeaders: String) {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        out.append(contentsOf: method.utf8)
        out.append(0x0A)
        let rawPath = url.pathBytes.isEmpty ? [0x2F][...] : url.pathBytes
        if options.normalizePath {
            SigV4Encoding.append(encoding: SigV4Encoding.normalize(path: rawPath), keepSlash: true, to: &out)
        } else {
            SigV4Encoding.append(encoding: rawPath, keepSlash: true, to: &out)
        }
        out.append(0x0A)
        appendCanonicalQuery(query, to: &out)
        out.append(0x0A)
        let signed = SigV4CanonicalHeaders.append(headers, host: url.host, to: &out)
        out.append(0x0A)
        out.append(contentsOf: signed)
        out.append(0x0A)
        out.append(contentsOf: payloadHash.utf8)
        return (out, String(decoding: signed, as: UTF8.self))
    }

    func appendCanonicalQuery(_ query: [([UInt8], [UInt8])], to out: inout [UInt8]) {
        guard !query.isEmpty else { return }
        var encoded: [([UInt8], [UInt8])] = query.map { name, value in
            var n: [UInt8] = [], v: [UInt8] = []
            SigV4Encoding.append(encoding: name, to: &n)
            SigV4Encoding.append(encoding: value, to: &v)
            return (n, v)
        }
        encoded.sort { a, b in
            a.0 == b.0 ? Self.precedes(a.1, b.1) : Self.precedes(a.0, b.0)
        }
        for (i, pair) in encoded.enumerated() {
            if i > 0 { out.append(0x26) }
            out.append(contentsOf: pair.0)
            out.append(0x3D)
            out.append(contentsOf: pair.1)
        }
    }

    /// Byte-wise lexicographic order.
    @inline(__always)
    static func precedes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                let n = min(x.count, y.count)
                var i = 0
                while i < n {
                    if x[i] != y[i] { return x[i] < y[i] }
                    i += 1
                }
                return x.count < y.count
            }
        }
    }
}

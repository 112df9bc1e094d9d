import Foundation
import HTTPClient
import Signing

extension SigV4Signer {
    /// A presigned URL for `request` (query-string signing), valid for `expires` seconds
    /// after `date`.
    ///
    /// The `X-Amz-*` parameters are appended after the request's own query in botocore's
    /// order (Algorithm, Credential, Date, Expires, SignedHeaders, Security-Token, Signature),
    /// so the same inputs give the same URL as the AWS CLI. Every request header (e.g.
    /// `x-k8s-aws-id`) and `host` are signed; the payload hash is that of the body.
    public func presign(_ request: ClientRequest, credentials: AWSCredentials, date: Date, expires: Int) throws(AWSError) -> String {
        try presignWithComponents(request, credentials: credentials, date: date, expires: expires).url
    }

    /// `presign` plus the intermediate values, for tests.
    public func presignWithComponents(
        _ request: ClientRequest, credentials: AWSCredentials, date: Date, expires: Int
    ) throws(AWSError) -> (url: String, components: Components) {
        guard let url = SigV4URL(request.url) else { throw AWSError.invalidURL() }
        let amzDate = AMZDate(date)
        let scope = "\(amzDate.day)/\(region)/\(service)/aws4_request"
        let host = url.host
        var scratch: [UInt8] = []
        let signedHeaders = String(decoding: SigV4CanonicalHeaders.append(request.headers, host: host, to: &scratch), as: UTF8.self)

        var added: [(String, String)] = [
            ("X-Amz-Algorithm", Self.algorithm),
            ("X-Amz-Credential", "\(credentials.accessKeyId)/\(scope)"),
            ("X-Amz-Date", amzDate.full),
            ("X-Amz-Expires", String(expires)),
            ("X-Amz-SignedHeaders", signedHeaders),
        ]
        var unsigned: [(String, String)] = []
        if let token = credentials.sessionToken {
            if options.signSessionToken { added.append(("X-Amz-Security-Token", token)) } else { unsigned.append(("X-Amz-Security-Token", token)) }
        }

        let query = SigV4Encoding.parseQuery(url.queryBytes) + added.map { (Array($0.0.utf8), Array($0.1.utf8)) }
        let payloadHash = request.body.isEmpty ? Self.emptyPayloadHash : SigV4Encoding.hex(Digest.sha256(request.body))
        let canonical = canonicalRequest(method: request.method, url: url, query: query, headers: request.headers, payloadHash: payloadHash)
        let sts = stringToSign(amzDate: amzDate.full, scope: scope, canonicalRequest: canonical.bytes)
        let signature = SigV4Encoding.hex(Digest.hmacSHA256(key: signingKey(credentials, day: amzDate.day), data: sts))

        var result = request.url
        if let hash = result.firstIndex(of: "#") { result = String(result[..<hash]) }
        var separator = url.queryBytes.isEmpty ? (result.hasSuffix("?") ? "" : "?") : "&"
        if url.pathBytes.isEmpty, url.queryBytes.isEmpty { result += "/" }
        for (name, value) in added + unsigned + [("X-Amz-Signature", signature)] {
            result += separator + SigV4Encoding.encode(name) + "=" + SigV4Encoding.encode(value)
            separator = "&"
        }
        let components = Components(canonicalRequest: String(decoding: canonical.bytes, as: UTF8.self),
                                    stringToSign: String(decoding: sts, as: UTF8.self), signedHeaders: signedHeaders, signature: signature)
        return (result, components)
    }
}

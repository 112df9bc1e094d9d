import Foundation
import Testing
@testable import AWS

/// Every case of the classic SigV4 suite (botocore's copy), header signing.
@Suite struct SigV4ClassicSuiteTests {
    static let base = "sigv4-testsuite"
    static let cases = Fixture.caseFolders(under: base) { $0.hasSuffix(".req") }
    static let date = Date(timeIntervalSince1970: 1_440_938_160) // 2015-08-30T12:36:00Z
    static let key = "AKIDEXAMPLE", secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

    @Test func allCasesFound() {
        #expect(Self.cases.count == 34)
    }

    @Test(arguments: cases)
    func vector(_ name: String) throws {
        let file = "\(Self.base)/\(name)/\((name as NSString).lastPathComponent)"
        let raw = RawRequest(try Fixture.text(file + ".req"))
        let expectedCreq = try Fixture.text(file + ".creq")
        let token = expectedCreq.components(separatedBy: "\n")
            .first { $0.hasPrefix("x-amz-security-token:") }
            .map { String($0.dropFirst("x-amz-security-token:".count)) }
        let credentials = AWSCredentials(accessKeyId: Self.key, secretAccessKey: Self.secret, sessionToken: token)
        let signer = SigV4Signer(region: "us-east-1", service: "service", options: .init(addContentSHA256Header: false))
        let components = try signer.components(raw.clientRequest(), credentials: credentials, date: Self.date)
        #expect(components.canonicalRequest == expectedCreq)
        #expect(components.stringToSign == (try Fixture.text(file + ".sts")))
        let signed = try signer.sign(raw.clientRequest(), credentials: credentials, date: Self.date)
        #expect(signed.headers["Authorization"] == (try Fixture.text(file + ".authz")))
        #expect(signed.headers["X-Amz-Date"] == "20150830T123600Z")
    }
}

/// Every case of aws-c-auth's v4 suite: header signing and presigned (query) signing.
@Suite struct SigV4AwsCAuthSuiteTests {
    static let base = "sigv4-testsuite-aws-c-auth/v4"
    static let cases = Fixture.caseFolders(under: base) { $0 == "context.json" }

    struct Context {
        var credentials: AWSCredentials
        var region: String, service: String
        var date: Date
        var expires: Int
        var normalize: Bool, signBody: Bool, omitToken: Bool

        init(_ json: [String: Any]) {
            let c = json["credentials"] as! [String: Any]
            credentials = AWSCredentials(accessKeyId: c["access_key_id"] as! String,
                                         secretAccessKey: c["secret_access_key"] as! String,
                                         sessionToken: c["token"] as? String)
            region = json["region"] as! String
            service = json["service"] as! String
            date = ISO8601DateFormatter().date(from: json["timestamp"] as! String)!
            expires = json["expiration_in_seconds"] as! Int
            normalize = json["normalize"] as! Bool
            signBody = json["sign_body"] as! Bool
            omitToken = json["omit_session_token"] as? Bool ?? false
        }

        var signer: SigV4Signer {
            SigV4Signer(region: region, service: service,
                        options: .init(normalizePath: normalize, addContentSHA256Header: signBody, signSessionToken: !omitToken))
        }
    }

    @Test func allCasesFound() {
        #expect(Self.cases.count == 38)
    }

    @Test(arguments: cases)
    func headerVector(_ name: String) throws {
        let dir = "\(Self.base)/\(name)/"
        let ctx = Context(try Fixture.json(dir + "context.json"))
        let request = RawRequest(try Fixture.text(dir + "request.txt")).clientRequest()
        let components = try ctx.signer.components(request, credentials: ctx.credentials, date: ctx.date)
        #expect(components.canonicalRequest == (try Fixture.text(dir + "header-canonical-request.txt")))
        #expect(components.stringToSign == (try Fixture.text(dir + "header-string-to-sign.txt")))
        #expect(components.signature == (try Fixture.text(dir + "header-signature.txt")))
        let expected = RawRequest(try Fixture.text(dir + "header-signed-request.txt"))
        let signed = try ctx.signer.sign(request, credentials: ctx.credentials, date: ctx.date)
        #expect(signed.headers["Authorization"] == expected.headers["Authorization"])
        #expect(signed.headers["X-Amz-Security-Token"] == expected.headers["X-Amz-Security-Token"])
    }

    @Test(arguments: cases)
    func presignedVector(_ name: String) throws {
        let dir = "\(Self.base)/\(name)/"
        let ctx = Context(try Fixture.json(dir + "context.json"))
        let request = RawRequest(try Fixture.text(dir + "request.txt")).clientRequest()
        let (url, components) = try ctx.signer.presignWithComponents(request, credentials: ctx.credentials, date: ctx.date, expires: ctx.expires)
        #expect(components.canonicalRequest == (try Fixture.text(dir + "query-canonical-request.txt")))
        #expect(components.stringToSign == (try Fixture.text(dir + "query-string-to-sign.txt")))
        #expect(components.signature == (try Fixture.text(dir + "query-signature.txt")))
        // The suite's URL lists the parameters in another order; AWS re-sorts them, so compare sets.
        let expected = RawRequest(try Fixture.text(dir + "query-signed-request.txt"))
        let expectedURL = "https://" + (expected.headers["Host"] ?? "") + expected.target
        #expect(Self.queryPairs(url) == Self.queryPairs(expectedURL))
        #expect(Self.pathPart(url) == Self.pathPart(expectedURL))
    }

    static func queryPairs(_ url: String) -> [String] {
        guard let q = url.firstIndex(of: "?") else { return [] }
        return url[url.index(after: q)...].split(separator: "&").map(String.init).sorted()
    }

    static func pathPart(_ url: String) -> Substring {
        url[..<(url.firstIndex(of: "?") ?? url.endIndex)]
    }
}

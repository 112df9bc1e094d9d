import CCurl

extension HTTPClientError {
    /// Maps a failed transfer's libcurl result to a typed error whose message names the method and
    /// the URL without its query string, fragment or credentials, plus libcurl's reason.
    init(curlCode: CURLcode, detail: String, method: String, url: String) {
        let code: Code
        switch curlCode {
        case CURLE_OPERATION_TIMEDOUT:
            code = .timeout
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            code = .connect
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_CRL_BADFILE,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_ENGINE_INITFAILED,
            CURLE_SSL_SHUTDOWN_FAILED, CURLE_USE_SSL_FAILED:
            code = .tls
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            code = .invalidURL
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE,
            CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_WEIRD_SERVER_REPLY, CURLE_READ_ERROR, CURLE_HTTP3:
            code = .io
        default:
            code = .other
        }
        let reason = detail.isEmpty ? String(cString: curl_easy_strerror(curlCode)) : detail
        self.init(code: code, message: "\(method) \(Self.redacted(url)): \(reason) (curl \(curlCode.rawValue))")
    }

    /// `url` without userinfo, query string and fragment: safe to log (presigned URLs and tokens
    /// travel in the query).
    static func redacted(_ url: String) -> String {
        var text = Substring(url)
        if let end = text.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            text = text[..<end]
        }
        if let schemeEnd = text.range(of: "://") {
            let authorityStart = schemeEnd.upperBound
            let authorityEnd = text[authorityStart...].firstIndex(of: "/") ?? text.endIndex
            if let at = text[authorityStart..<authorityEnd].lastIndex(of: "@") {
                return String(text[..<authorityStart]) + String(text[text.index(after: at)...])
            }
        }
        return String(text)
    }
}

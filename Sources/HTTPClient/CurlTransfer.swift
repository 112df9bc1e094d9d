import CCurl

/// Owns one CURL easy handle and everything libcurl reads or writes during one transfer: the
/// header list, the error buffer and the response being collected.
///
/// Created, driven and destroyed on the transfer thread only (see `CurlMultiLoop`).
final class CurlTransfer {
    let easy: UnsafeMutableRawPointer
    let request: PreparedRequest
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var head = ResponseHeadParser()
    private var body: [UInt8] = []
    private var bodyTooLarge = false

    /// Nil when libcurl cannot allocate a handle.
    init?(_ request: PreparedRequest) {
        guard let easy = curl_easy_init() else { return nil }
        self.easy = easy
        self.request = request
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(easy)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    /// Sets every option of the transfer; `self` must outlive the handle's time in the multi.
    func configure() throws(HTTPClientError) {
        let me = Unmanaged.passUnretained(self).toOpaque()
        try check(ccurl_easy_setopt_string(easy, CURLOPT_URL, request.url))
        try check(ccurl_easy_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https"))
        try check(ccurl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1))
        try check(ccurl_easy_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1))
        try check(ccurl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, request.timeoutMilliseconds))
        try check(ccurl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeoutMilliseconds))
        try check(ccurl_easy_setopt_off(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(request.maxResponseBodyBytes)))
        try check(ccurl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer))
        if request.maxRedirects > 0 {
            try check(ccurl_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 1))
            try check(ccurl_easy_setopt_long(easy, CURLOPT_MAXREDIRS, request.maxRedirects))
            try check(ccurl_easy_setopt_string(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"))
        }
        for line in request.headerLines {
            guard let list = curl_slist_append(headerList, line) else {
                throw HTTPClientError(code: .other, message: "libcurl could not allocate the header list")
            }
            headerList = list
        }
        try check(ccurl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList))
        try configureMethod()
        if let pem = request.caBundlePEM {
            try check(pem.withUnsafeBytes { ccurl_easy_setopt_blob(easy, CURLOPT_CAINFO_BLOB, $0.baseAddress, $0.count) })
            // Trust only the given bundle: a built-in CA directory would still add the system store.
            try check(ccurl_easy_setopt_string(easy, CURLOPT_CAPATH, nil))
        }
        try check(ccurl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, me))
        try check(ccurl_easy_setopt_callback(easy, CURLOPT_WRITEFUNCTION) { data, size, count, userdata in
            guard let data, let userdata else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
            return transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
        })
        try check(ccurl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, me))
        try check(ccurl_easy_setopt_callback(easy, CURLOPT_HEADERFUNCTION) { data, size, count, userdata in
            guard let data, let userdata else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
            let line = UnsafeRawBufferPointer(start: data, count: size * count)
            transfer.head.consume(line: line.bindMemory(to: UInt8.self))
            return size * count
        })
    }

    private func configureMethod() throws(HTTPClientError) {
        let upper = request.method.uppercased()
        if upper == "HEAD" {
            try check(ccurl_easy_setopt_long(easy, CURLOPT_NOBODY, 1))
            return
        }
        if request.sendsBody {
            try check(ccurl_easy_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)))
            // COPYPOSTFIELDS copies the body (POSTFIELDSIZE bytes), so nothing need outlive this call.
            let code = request.body.withUnsafeBytes { bytes in
                guard let base = bytes.baseAddress else { return ccurl_easy_setopt_string(easy, CURLOPT_COPYPOSTFIELDS, "") }
                return ccurl_easy_setopt_string(easy, CURLOPT_COPYPOSTFIELDS, base.assumingMemoryBound(to: CChar.self))
            }
            try check(code)
        }
        if upper != "GET" && !(upper == "POST" && request.sendsBody) {
            try check(ccurl_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, request.method))
        }
    }

    private func receiveBody(_ chunk: UnsafeRawBufferPointer) -> Int {
        guard body.count + chunk.count <= request.maxResponseBodyBytes else {
            bodyTooLarge = true
            return 0  // libcurl aborts the transfer with CURLE_WRITE_ERROR
        }
        body.append(contentsOf: chunk)
        return chunk.count
    }

    /// The outcome once libcurl reports the transfer done with `code`.
    func outcome(_ code: CURLcode) -> Result<ClientResponse, HTTPClientError> {
        if bodyTooLarge || code == CURLE_FILESIZE_EXCEEDED {
            return .failure(HTTPClientError(
                code: .other,
                message: "\(request.method) \(HTTPClientError.redacted(request.url)): response body exceeds "
                    + "\(request.maxResponseBodyBytes) bytes"))
        }
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            return .failure(HTTPClientError(curlCode: code, detail: detail, method: request.method, url: request.url))
        }
        var status = 0
        _ = ccurl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        return .success(ClientResponse(status: status, headers: head.headers, body: body))
    }

    private func check(_ code: CURLcode) throws(HTTPClientError) {
        guard code == CURLE_OK else {
            throw HTTPClientError(
                code: .other, message: "libcurl rejected an option: \(String(cString: curl_easy_strerror(code)))")
        }
    }
}

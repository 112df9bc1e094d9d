import Foundation
import HTTP
import HTTPClient

/// One REST call, before authentication.
struct APICall: Sendable {
    var method: String
    /// Path below the API URL, already percent-encoded.
    var path: String
    var query: [(String, String)] = []
    var body: [UInt8]? = nil
    /// `METHOD /path/{template}` for errors and logs (no names, ids or secrets).
    var template: String
    /// Safe to repeat after a 5xx or a transport error.
    var idempotent: Bool = false

    init(method: String, path: String, query: [(String, String)] = [], body: [UInt8]? = nil,
         template: String, idempotent: Bool? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.body = body
        self.template = template
        self.idempotent = idempotent ?? (method == "GET" || method == "DELETE" || method == "HEAD")
    }
}

/// A successful (2xx) answer with lower-cased header names.
struct APIResponse: Sendable {
    var status: Int
    var headers: [String: String]
    var body: [UInt8]
}

extension GitHubApp {
    /// Sends `call`, handling authentication, rate limits and retries; returns only 2xx answers.
    func send(_ call: APICall, auth: Auth) async throws(GitHubError) -> APIResponse {
        var attempt = 0
        var refreshedToken = false
        while true {
            attempt += 1
            if let wait = await rateLimits.delay(scope: auth.scope, now: clock.now()) {
                guard wait <= configuration.maxRateLimitWait else {
                    throw GitHubError(code: .rateLimited, message: "rate limit exhausted; waiting for the reset",
                                      operation: call.template, retryAfter: wait)
                }
                try await pause(wait, call)
            }
            let request = try await clientRequest(call, auth: auth)
            let response: ClientResponse
            let started = ContinuousClock.now
            do {
                response = try await transport.execute(request)
            } catch {
                let message = (error as? HTTPClientError)?.description ?? "request failed"
                if call.idempotent && attempt < configuration.maxAttempts {
                    logger.debug("GitHub call failed; retrying", metadata: ["github.operation": "\(call.template)", "attempt": "\(attempt)"])
                    try await pause(backoff(attempt), call)
                    continue
                }
                throw GitHubError(code: .transport, message: message, operation: call.template)
            }
            let headers = Self.lowercased(response.headers)
            let now = clock.now()
            await rateLimits.record(scope: auth.scope, headers: headers, now: now)
            if (200..<300).contains(response.status) {
                logger.debug("GitHub call", metadata: [
                    "github.operation": "\(call.template)", "http.status": "\(response.status)",
                    "duration_ms": "\((ContinuousClock.now - started).logMilliseconds)",
                ])
                return APIResponse(status: response.status, headers: headers, body: response.body)
            }

            let githubMessage = (try? JSONDecoder().decode(GitHubError.ErrorBody.self, from: Data(response.body)))?.message
            let rateLimitWait = RateLimitTracker.retryDelay(status: response.status, headers: headers,
                                                            message: githubMessage, now: now)
            let error = GitHubError.from(status: response.status, headers: headers, body: response.body,
                                         operation: call.template, retryAfter: rateLimitWait)
            logger.debug("GitHub call answered with an error", metadata: [
                "github.operation": "\(call.template)", "http.status": "\(response.status)",
                "github.request_id": "\(error.requestID ?? "-")",
            ])
            if response.status == 401, case .installation(let id) = auth, !refreshedToken {
                // A revoked or expired token: mint a fresh one once.
                refreshedToken = true
                await tokenCache.invalidate(id)
                attempt -= 1
                continue
            }
            if let rateLimitWait {
                await rateLimits.block(scope: auth.scope, until: now.addingTimeInterval(rateLimitWait.timeInterval))
                guard attempt < configuration.maxAttempts, rateLimitWait <= configuration.maxRateLimitWait else { throw error }
                logger.info("GitHub rate limit hit; waiting", metadata: [
                    "github.operation": "\(call.template)", "wait": "\(rateLimitWait)",
                ])
                continue
            }
            if response.status >= 500, call.idempotent, attempt < configuration.maxAttempts {
                try await pause(backoff(attempt), call)
                continue
            }
            throw error
        }
    }

    /// Decodes a 2xx body, mapping failures to `.malformedResponse`.
    func decode<T: Decodable>(_ type: T.Type, from response: APIResponse, template: String) throws(GitHubError) -> T {
        do {
            return try GitHubDate.decoder().decode(T.self, from: Data(response.body))
        } catch {
            throw GitHubError(code: .malformedResponse, status: response.status,
                              message: "response body is not a valid \(T.self)",
                              requestID: response.headers["x-github-request-id"], operation: template)
        }
    }

    private func clientRequest(_ call: APICall, auth: Auth) async throws(GitHubError) -> ClientRequest {
        let credential: String
        switch auth {
        case .app: credential = try appJWT().value
        case .installation(let id): credential = try await installationToken(for: id).value
        }
        var url = apiURL + call.path
        if !call.query.isEmpty { url += "?" + PathEncoding.query(call.query) }
        var headers: HTTPHeaders = [
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": configuration.userAgent,
            "Authorization": "Bearer " + credential,
        ]
        if call.body != nil { headers.add("Content-Type", "application/json") }
        return ClientRequest(method: call.method, url: url, headers: headers, body: call.body ?? [],
                             timeout: configuration.requestTimeout, retry: nil)
    }

    private func backoff(_ attempt: Int) -> Duration {
        let cap = configuration.retryBaseDelay * (1 << min(attempt, 6))
        let ms = Int64(cap.timeInterval * 1000)
        return .milliseconds(ms > 0 ? Int64.random(in: ms / 2...ms) : 0)
    }

    private func pause(_ duration: Duration, _ call: APICall) async throws(GitHubError) {
        do {
            try await clock.sleep(duration)
        } catch {
            throw GitHubError(code: .transport, message: "cancelled while waiting to retry", operation: call.template)
        }
    }

    static func lowercased(_ headers: HTTPHeaders) -> [String: String] {
        var out: [String: String] = [:]
        for field in headers where out[field.name.lowercased()] == nil {
            out[field.name.lowercased()] = field.value
        }
        return out
    }
}

import Foundation
import HTTP
import HTTPClient

/// The calls the Publisher makes to a pool's Orchestrator (DESIGN.md, "Orchestrator").
///
/// Attempts against the outside world return outcomes, not errors: the dispatcher decides from
/// the outcome whether a job is launched, retried later, or failed.
public protocol OrchestratorAPI: Sendable {
    /// `POST /v1/runners`: launches (idempotently, by runner name) a runner for a job.
    func launch(_ request: LaunchRequest, orchestratorURL: String) async -> LaunchOutcome
    /// `DELETE /v1/runners/{name}`: removes the instance or pod and its GitHub registration.
    func tearDown(runnerName: String, orchestratorURL: String) async -> TeardownOutcome
    /// `GET /v1/runners?pool=`: runners that exist at the provider; throws when the answer is unusable.
    func listRunners(pool: String, orchestratorURL: String) async throws -> [ProviderRunner]
}

/// The Orchestrator client over any `HTTPTransport`, with the internal bearer token.
/// `traceparent` is added by the transport from `TraceContext.current`.
public struct HTTPOrchestratorClient: OrchestratorAPI {
    private let transport: any HTTPTransport
    private let token: String?
    private let timeout: Duration

    /// Creates a client; `timeout` bounds each call (default 30 s, well inside the dispatch lease).
    public init(transport: any HTTPTransport, token: String?, timeout: Duration = .seconds(30)) {
        self.transport = transport
        self.token = token
        self.timeout = timeout
    }

    public func launch(_ request: LaunchRequest, orchestratorURL: String) async -> LaunchOutcome {
        let body: [UInt8]
        do {
            body = Array(try JSONCoding.encoder.encode(request))
        } catch {
            return .failed(reason: "cannot encode launch request")
        }
        let response: ClientResponse
        do {
            response = try await transport.execute(
                makeRequest("POST", orchestratorURL, "/v1/runners", body: body))
        } catch let error as HTTPClientError {
            return .retry(after: nil, reason: "orchestrator unreachable: \(error.code.rawValue)")
        } catch {
            return .retry(after: nil, reason: "orchestrator unreachable")
        }
        return Self.launchOutcome(response)
    }

    /// Maps an Orchestrator answer to a launch outcome.
    static func launchOutcome(_ response: ClientResponse) -> LaunchOutcome {
        let status = response.status
        switch status {
        case 200, 201:
            guard let answer = try? JSONCoding.decoder.decode(LaunchAnswer.self, from: Data(response.body)),
                !answer.providerID.isEmpty
            else {
                // The call is idempotent by runner name, so asking again is safe.
                return .retry(after: nil, reason: "orchestrator answered \(status) with an invalid body")
            }
            return .launched(providerID: answer.providerID)
        case 429, 503:
            // An explicit "come back later" from the Orchestrator is a deferral, not a failed attempt;
            // a 503 without Retry-After (a proxy, a crash) is an ordinary retry.
            if let after = retryAfter(response.headers) ?? (status == 429 ? .seconds(5) : nil) {
                return .deferred(after: after, reason: reason(status, response.body))
            }
            return .retry(after: nil, reason: reason(status, response.body))
        case 408, 409, 425, 500...599:
            return .retry(after: retryAfter(response.headers), reason: reason(status, response.body))
        case 401, 403:
            // A token mismatch is a deployment problem, not the job's: keep retrying with backoff.
            return .retry(after: nil, reason: "orchestrator refused the internal token (\(status))")
        default:
            return .failed(reason: reason(status, response.body))
        }
    }

    public func tearDown(runnerName: String, orchestratorURL: String) async -> TeardownOutcome {
        let path = "/v1/runners/" + (runnerName.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? runnerName)
        do {
            let response = try await transport.execute(makeRequest("DELETE", orchestratorURL, path, body: []))
            switch response.status {
            case 200, 202, 204, 404: return .confirmed
            default: return .retry(reason: Self.reason(response.status, response.body))
            }
        } catch let error as HTTPClientError {
            return .retry(reason: "orchestrator unreachable: \(error.code.rawValue)")
        } catch {
            return .retry(reason: "orchestrator unreachable")
        }
    }

    public func listRunners(pool: String, orchestratorURL: String) async throws -> [ProviderRunner] {
        let query = pool.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? pool
        let response = try await transport.execute(makeRequest("GET", orchestratorURL, "/v1/runners?pool=\(query)", body: []))
        guard response.status == 200 else {
            throw OrchestratorError(message: Self.reason(response.status, response.body))
        }
        if let runners = RunnerListDecoding.decode(response.body) { return runners }
        let data = Data(response.body)
        if let list = try? JSONCoding.decoder.decode(RunnerList.self, from: data) { return list.runners }
        if let list = try? JSONCoding.decoder.decode([ProviderRunner].self, from: data) { return list }
        throw OrchestratorError(message: "orchestrator answered an invalid runner list")
    }

    private func makeRequest(_ method: String, _ base: String, _ path: String, body: [UInt8]) -> ClientRequest {
        var headers = HTTPHeaders()
        if let token { headers.add("Authorization", "Bearer \(token)") }
        headers.add("Accept", "application/json")
        if !body.isEmpty { headers.add("Content-Type", "application/json") }
        let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : base
        return ClientRequest(method: method, url: trimmed + path, headers: headers, body: body, timeout: timeout)
    }

    /// `Retry-After` in seconds (the HTTP-date form is treated as absent).
    static func retryAfter(_ headers: HTTPHeaders) -> Duration? {
        guard let value = headers["Retry-After"], let seconds = Int(value.trimmingCharacters(in: .whitespaces)),
            seconds >= 0
        else { return nil }
        return .seconds(min(seconds, 3600))
    }

    /// A short, loggable reason: the status and the contract's error code, never the raw body.
    static func reason(_ status: Int, _ body: [UInt8]) -> String {
        if let envelope = try? JSONDecoder().decode(HTTPResponse.ErrorBody.self, from: Data(body)) {
            let code = String(envelope.error.code.prefix(64))
            let message = String(envelope.error.message.prefix(200))
            return "orchestrator \(status) \(code): \(message)"
        }
        return "orchestrator \(status)"
    }

    private struct LaunchAnswer: Decodable {
        var providerID: String
        enum CodingKeys: String, CodingKey { case providerID = "provider_id" }
    }

    private struct RunnerList: Decodable {
        var runners: [ProviderRunner]
    }
}

/// The Orchestrator's answer could not be used.
public struct OrchestratorError: Error, Sendable, CustomStringConvertible {
    /// Safe to log.
    public var message: String
    public var description: String { message }
}

extension ProviderRunner {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        runnerName = try c.decode(String.self, forKey: .runnerName)
        providerID = try c.decodeIfPresent(String.self, forKey: .providerID) ?? ""
        state = try c.decodeIfPresent(String.self, forKey: .state) ?? "unknown"
        launchedAt = (try? c.decodeIfPresent(String.self, forKey: .launchedAt)).flatMap { $0 }.flatMap(ISO8601Timestamp.parse)
    }
}

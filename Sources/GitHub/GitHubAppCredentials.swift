import Foundation
import Signing

/// Every problem found in the GitHub App settings, listed together. Never contains the key.
public struct GitHubConfigError: Error, Sendable, CustomStringConvertible {
    /// One line per problem.
    public var problems: [String]

    /// Creates an error.
    public init(problems: [String]) {
        self.problems = problems
    }

    public var description: String {
        "invalid GitHub App configuration:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}

/// The GitHub App identity and where its API lives.
///
/// Built by `load(environment:)` from:
/// - `GITHUB_APP_CLIENT_ID` (recommended by GitHub) or `GITHUB_APP_ID` (numeric; older GHES
///   accept only this): the JWT `iss`. When both are set the client ID is used.
/// - `GITHUB_APP_PRIVATE_KEY` (PEM text, or a path to a PEM file) or
///   `GITHUB_APP_PRIVATE_KEY_FILE` (a path); PKCS#1 or PKCS#8, unencrypted. PEM text with
///   literal `\n` sequences (common in `.env` files) is accepted.
/// - `GITHUB_API_URL`: default `https://api.github.com`; GitHub Enterprise Server uses
///   `https://HOST/api/v3`.
public struct GitHubAppCredentials: Sendable {
    /// The JWT `iss` claim: client ID or App ID.
    public var issuer: String
    /// The App's private key.
    public var signer: RSASigner
    /// REST API base URL without a trailing slash.
    public var apiURL: String

    /// Creates credentials directly.
    public init(issuer: String, signer: RSASigner, apiURL: String = "https://api.github.com") {
        self.issuer = issuer
        self.signer = signer
        var url = apiURL
        while url.hasSuffix("/") { url.removeLast() }
        self.apiURL = url
    }

    /// Reads the credentials from an environment, reporting every problem at once.
    public static func load(environment: [String: String]) throws(GitHubConfigError) -> GitHubAppCredentials {
        func value(_ name: String) -> String? {
            environment[name].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        var problems: [String] = []

        var issuer: String?
        if let clientID = value("GITHUB_APP_CLIENT_ID") {
            if clientID.contains(where: { $0.isWhitespace || $0 == "\"" }) {
                problems.append("GITHUB_APP_CLIENT_ID must not contain spaces or quotes")
            } else {
                issuer = clientID
            }
        }
        if let appID = value("GITHUB_APP_ID") {
            if let number = Int64(appID), number > 0 {
                if issuer == nil { issuer = appID }
            } else {
                problems.append("GITHUB_APP_ID must be a positive integer (the App ID), got '\(appID.prefix(40))'")
            }
        }
        if issuer == nil && value("GITHUB_APP_ID") == nil && value("GITHUB_APP_CLIENT_ID") == nil {
            problems.append("GITHUB_APP_ID or GITHUB_APP_CLIENT_ID is required")
        }

        var signer: RSASigner?
        switch privateKeyPEM(environment: environment, value: value) {
        case .failure(let problem): problems.append(problem.message)
        case .success(let (pem, source)):
            do {
                signer = try RSASigner(pem: pem)
            } catch {
                problems.append("\(source): \(error.message)")
            }
        }

        var apiURL = value("GITHUB_API_URL") ?? "https://api.github.com"
        while apiURL.hasSuffix("/") { apiURL.removeLast() }
        if let parsed = URLComponents(string: apiURL),
            let scheme = parsed.scheme?.lowercased(), scheme == "https" || scheme == "http",
            parsed.host?.isEmpty == false, parsed.query == nil {
        } else {
            problems.append("GITHUB_API_URL must be an http:// or https:// URL without a query")
        }

        guard problems.isEmpty, let issuer, let signer else { throw GitHubConfigError(problems: problems) }
        return GitHubAppCredentials(issuer: issuer, signer: signer, apiURL: apiURL)
    }

    private struct Problem: Error { var message: String }

    /// The PEM text and a name for where it came from (for messages; never the text itself).
    private static func privateKeyPEM(
        environment: [String: String], value: (String) -> String?
    ) -> Result<(String, String), Problem> {
        let direct = value("GITHUB_APP_PRIVATE_KEY")
        let file = value("GITHUB_APP_PRIVATE_KEY_FILE")
        switch (direct, file) {
        case (nil, nil):
            return .failure(Problem(message: "GITHUB_APP_PRIVATE_KEY or GITHUB_APP_PRIVATE_KEY_FILE is required"))
        case (.some, .some):
            return .failure(Problem(message: "GITHUB_APP_PRIVATE_KEY and GITHUB_APP_PRIVATE_KEY_FILE are both set; set one"))
        case (.some(let text), nil) where text.contains("-----BEGIN"):
            return .success((text.replacingOccurrences(of: "\\n", with: "\n"), "GITHUB_APP_PRIVATE_KEY"))
        case (.some(let path), nil):
            return readFile(path, source: "GITHUB_APP_PRIVATE_KEY (a path)")
        case (nil, .some(let path)):
            return readFile(path, source: "GITHUB_APP_PRIVATE_KEY_FILE")
        }
    }

    private static func readFile(_ path: String, source: String) -> Result<(String, String), Problem> {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            return .failure(Problem(message: "\(source): cannot read \(path)"))
        }
        guard text.contains("-----BEGIN") else {
            return .failure(Problem(message: "\(source): \(path) is not a PEM file"))
        }
        return .success((text, "\(source) \(path)"))
    }
}

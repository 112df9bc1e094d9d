import Foundation
import GitHub
import Testing

@Suite struct CredentialsTests {
    @Test func loadsPEMTextAndDefaults() async throws {
        let pair = try await TestKeys.shared.get()
        let creds = try GitHubAppCredentials.load(environment: ["GITHUB_APP_ID": "123", "GITHUB_APP_PRIVATE_KEY": pair.privatePEM])
        #expect(creds.issuer == "123")
        #expect(creds.apiURL == "https://api.github.com")
    }

    @Test func acceptsEscapedNewlinesAPathAndAFile() async throws {
        let pair = try await TestKeys.shared.get()
        let escaped = pair.privatePEM.replacingOccurrences(of: "\n", with: "\\n")
        #expect(try GitHubAppCredentials.load(environment: ["GITHUB_APP_ID": "1", "GITHUB_APP_PRIVATE_KEY": escaped]).issuer == "1")
        #expect(try GitHubAppCredentials.load(environment: ["GITHUB_APP_ID": "1", "GITHUB_APP_PRIVATE_KEY": pair.privatePath]).issuer == "1")
        #expect(try GitHubAppCredentials.load(environment: ["GITHUB_APP_ID": "1", "GITHUB_APP_PRIVATE_KEY_FILE": pair.privatePath]).issuer == "1")
    }

    @Test func prefersClientIDAndAcceptsGHESURL() async throws {
        let pair = try await TestKeys.shared.get()
        let creds = try GitHubAppCredentials.load(environment: [
            "GITHUB_APP_ID": "123", "GITHUB_APP_CLIENT_ID": "Iv23liXYZ", "GITHUB_APP_PRIVATE_KEY_FILE": pair.privatePath,
            "GITHUB_API_URL": "https://ghes.example.com/api/v3/",
        ])
        #expect(creds.issuer == "Iv23liXYZ")
        #expect(creds.apiURL == "https://ghes.example.com/api/v3")
    }

    @Test func listsEveryProblemAtOnce() {
        #expect {
            _ = try GitHubAppCredentials.load(environment: ["GITHUB_API_URL": "ftp://x"])
        } throws: { error in
            guard let error = error as? GitHubConfigError else { return false }
            return error.problems.count == 3
                && error.problems.contains { $0.contains("GITHUB_APP_ID") }
                && error.problems.contains { $0.contains("GITHUB_APP_PRIVATE_KEY") }
                && error.problems.contains { $0.contains("GITHUB_API_URL") }
        }
    }

    @Test func rejectsBadValuesWithoutEchoingTheKey() async throws {
        let pair = try await TestKeys.shared.get()
        let broken = "-----BEGIN RSA PRIVATE KEY-----\nSECRETSTUFF\n-----END RSA PRIVATE KEY-----"
        #expect {
            _ = try GitHubAppCredentials.load(environment: ["GITHUB_APP_ID": "abc", "GITHUB_APP_PRIVATE_KEY": broken])
        } throws: { error in
            let text = "\(error)"
            return text.contains("GITHUB_APP_ID must be a positive integer") && text.contains("GITHUB_APP_PRIVATE_KEY")
                && !text.contains("SECRETSTUFF")
        }
        #expect {
            _ = try GitHubAppCredentials.load(environment: [
                "GITHUB_APP_ID": "1", "GITHUB_APP_PRIVATE_KEY": pair.privatePEM, "GITHUB_APP_PRIVATE_KEY_FILE": pair.privatePath,
            ])
        } throws: { "\($0)".contains("both set") }
        #expect {
            _ = try GitHubAppCredentials.load(environment: ["GITHUB_APP_ID": "1", "GITHUB_APP_PRIVATE_KEY_FILE": "/nonexistent/key.pem"])
        } throws: { "\($0)".contains("cannot read /nonexistent/key.pem") }
    }
}

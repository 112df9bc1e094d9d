import Foundation
import HTTP
import Testing
@testable import OrchestratorCore

/// The hand-written `GET /v1/runners` body must be byte for byte what the shared encoder wrote.
@Suite struct RunnerListJSONTests {
    struct Reference: Encodable {
        var runners: [RunnerInfo]
    }

    func reference(_ runners: [RunnerInfo]) throws -> String {
        String(decoding: try JSONCoding.encoder.encode(Reference(runners: runners)), as: UTF8.self)
    }

    func written(_ runners: [RunnerInfo]) -> String {
        String(decoding: RunnerListJSON.encode(runners), as: UTF8.self)
    }

    @Test func emptyListMatchesTheEncoder() throws {
        #expect(written([]) == #"{"runners":[]}"#)
        #expect(written([]) == (try reference([])))
    }

    @Test func runnersWithAndWithoutLaunchTimeMatchTheEncoder() throws {
        let runners = [
            RunnerInfo(runnerName: "runway-ec2-ubuntu-7-1", providerID: "i-00000000000000001", pool: "ec2-ubuntu",
                       state: "pending", launchedAt: Date(timeIntervalSince1970: 1_800_000_001.75)),
            RunnerInfo(runnerName: "runway-eks-ubuntu-8-0", providerID: "runway/runway-eks-ubuntu-8-0", pool: "eks-ubuntu",
                       state: "running", launchedAt: nil),
        ]
        let text = written(runners)
        #expect(text == (try reference(runners)))
        #expect(text.contains(#""provider_id":"runway/runway-eks-ubuntu-8-0""#))
        #expect(!text.contains("launched_at\":null"))
    }

    @Test func escapesMatchTheEncoder() throws {
        let odd = "quote\" back\\slash /slash tab\t nl\n cr\r bs\u{8} ff\u{C} nul\u{0} us\u{1F} del\u{7F} é ✓ \u{2028} 🙂"
        let runners = [RunnerInfo(runnerName: odd, providerID: odd, pool: odd, state: odd, launchedAt: nil)]
        #expect(written(runners) == (try reference(runners)))
        let decoded = try JSONSerialization.jsonObject(with: Data(RunnerListJSON.encode(runners))) as? [String: [[String: String]]]
        #expect(decoded?["runners"]?.first?["runner_name"] == odd)
    }

    @Test func aLargeListMatchesTheEncoder() throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let runners = (0..<2_000).map { n in
            RunnerInfo(runnerName: "runway-ec2-ubuntu-\(900_000 + n)-\(n % 3)", providerID: String(format: "i-%017x", n),
                       pool: "ec2-ubuntu", state: ["pending", "running", "stopping"][n % 3],
                       launchedAt: n % 7 == 0 ? nil : start.addingTimeInterval(Double(n) * 1.5))
        }
        #expect(written(runners) == (try reference(runners)))
    }
}

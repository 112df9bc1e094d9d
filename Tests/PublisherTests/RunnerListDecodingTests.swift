import Foundation
import HTTP
import Testing
@testable import PublisherCore

/// The lean runner-list reader must agree with the JSONDecoder path it shortcuts.
@Suite struct RunnerListDecodingTests {
    struct Wrapped: Decodable { var runners: [ProviderRunner] }

    /// What the client decoded before the lean reader existed.
    func foundation(_ text: String) -> [ProviderRunner]? {
        let data = Data(text.utf8)
        if let list = try? JSONCoding.decoder.decode(Wrapped.self, from: data) { return list.runners }
        return try? JSONCoding.decoder.decode([ProviderRunner].self, from: data)
    }

    @Test func agreesWithJSONDecoderOnTheOrchestratorsShapes() {
        let bodies = [
            #"{"runners":[]}"#,
            #"[]"#,
            #"{"runners":[{"launched_at":"2026-11-29T10:00:00Z","pool":"ec2-ubuntu","provider_id":"i-1","runner_name":"runway-ec2-ubuntu-1-0","state":"running"}]}"#,
            #"[{"runner_name":"runway-ec2-1-1","provider_id":"i-2","state":"pending","launched_at":"2026-11-29T10:00:00.250+01:00"}]"#,
            // Missing and null fields take the decoder's defaults; an unusable launch time is absent.
            #" { "runners" : [ { "runner_name" : "a" } , {"runner_name":"b","provider_id":null,"state":null,"launched_at":null},"#
                + #" {"runner_name":"c","launched_at":12345}, {"runner_name":"d","launched_at":"not a date"} ] } "#,
            // Unknown keys and nested values are skipped, before and after the list.
            #"{"next_page_token":null,"meta":{"a":[1,2.5e3,-3,{"b":[true,false,null]}],"c":"x"},"runners":[{"extra":{"deep":[[]]},"runner_name":"r","state":"running"}],"total":1}"#,
            // Escapes are decoded as JSONDecoder does.
            #"{"runners":[{"runner_name":"esc\"aped\\\/\u00e9\n","provider_id":"ns\/pod","state":"running"}]}"#,
            #"{"runners":[{"runner_name":"unicodé ✓","provider_id":"i-3","state":"running"}]}"#,
            "{\n\t\"runners\" :\r\n [ ]\n}\n",
        ]
        for body in bodies {
            let lean = RunnerListDecoding.decode(Array(body.utf8))
            #expect(lean != nil, "\(body)")
            #expect(lean == foundation(body), "\(body)")
        }
    }

    @Test func leavesWhatItDoesNotUnderstandToTheFallback() {
        let bodies = [
            "", "null", "{}", #"{"runners":null}"#, #"{"runners":[{"state":"running"}]}"#,
            #"{"runners":[{"runner_name":7}]}"#, #"{"runners":[{"runner_name":"a","provider_id":5}]}"#,
            #"{"runners":[{"runner_name":"a"}]"#, #"{"runners":[{"runner_name":"a"}]} trailing"#,
            #"{"runners":[{"runner_name":"a",}]}"#, #"{"runners":[{"runner_name":"a","x":nan}]}"#,
            #"{"runners":[{"runner_name":"a\u{1}"}]}"#, #"{"runners":[],"runners":[]}"#,
        ]
        for body in bodies {
            #expect(RunnerListDecoding.decode(Array(body.utf8)) == nil, "\(body)")
        }
        #expect(RunnerListDecoding.decode([0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x5B, 0x5D, 0x7D]) == nil)
    }

    @Test func aLargeListMatchesTheDecoder() {
        let items = (0..<3_000).map { n in
            #"{"launched_at":"2026-11-29T10:\#(String(format: "%02d", n % 60)):00Z","pool":"ec2-ubuntu","provider_id":"i-\#(n)","runner_name":"runway-ec2-ubuntu-\#(n)-0","state":"running"}"#
        }
        let body = #"{"runners":["# + items.joined(separator: ",") + "]}"
        let lean = RunnerListDecoding.decode(Array(body.utf8))
        #expect(lean?.count == 3_000)
        #expect(lean == foundation(body))
    }
}

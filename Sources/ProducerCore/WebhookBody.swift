import Foundation
import GitHub
import HTTP
import RunwayKit

/// Extracting and decoding the JSON payload of a delivery, with errors that say what is wrong.
enum WebhookBody {
    /// The JSON payload: the body itself (`application/json`) or its `payload` field
    /// (`application/x-www-form-urlencoded`); GitHub sends either, per the hook's content type.
    static func json(of request: HTTPRequest) throws(HTTPError) -> [UInt8] {
        let type = (request.headers["Content-Type"] ?? "").split(separator: ";").first
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch type {
        case "application/json":
            return request.body
        case "application/x-www-form-urlencoded":
            let form = String(decoding: request.body, as: UTF8.self)
            for pair in form.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2, parts[0] == "payload" else { continue }
                guard let value = PercentDecoding.decode(String(parts[1]), plusAsSpace: true) else {
                    throw .badRequest("form field 'payload' is not valid percent-encoding", code: "invalid_payload")
                }
                return Array(value.utf8)
            }
            throw .badRequest("form body has no 'payload' field", code: "invalid_payload")
        default:
            throw HTTPError(status: 415, code: "unsupported_media_type",
                            message: "Content-Type must be application/json or application/x-www-form-urlencoded")
        }
    }

    /// The top-level `action`, if the payload is a JSON object that has one.
    static func action(of payload: [UInt8]) -> String? {
        (try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any])?["action"] as? String
    }

    /// Decodes a `workflow_job` payload, or throws a 400 naming the first problem.
    static func decodeWorkflowJob(_ payload: [UInt8]) throws(HTTPError) -> GitHubJobEvent {
        let event: GitHubJobEvent
        do {
            event = try GitHubJobEvent.decode(payload)
        } catch where !((try? JSONSerialization.jsonObject(with: Data(payload))) is [String: Any]) {
            // Only on failure: telling "not JSON" from "wrong shape" costs a second parse.
            throw .badRequest("payload is not a JSON object", code: "invalid_json")
        } catch let DecodingError.keyNotFound(key, context) {
            throw .badRequest("missing field '\(path(context.codingPath + [key]))'", code: "invalid_payload")
        } catch let DecodingError.typeMismatch(_, context) {
            throw .badRequest("wrong type at '\(path(context.codingPath))'", code: "invalid_payload")
        } catch let DecodingError.valueNotFound(_, context) {
            throw .badRequest("null at '\(path(context.codingPath))'", code: "invalid_payload")
        } catch let DecodingError.dataCorrupted(context) {
            throw .badRequest("invalid value at '\(path(context.codingPath))'", code: "invalid_payload")
        } catch {
            throw .badRequest("payload is not a workflow_job event", code: "invalid_payload")
        }
        let knownActions: Set<String> = ["queued", "waiting", "in_progress", "completed"]
        guard knownActions.contains(event.action.rawValue) else {
            throw .badRequest("unknown workflow_job action '\(String(event.action.rawValue.prefix(40)))'", code: "invalid_payload")
        }
        return event
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}

import Foundation
import GitHub
import HTTP
import HTTPClient
import JobStore
import Postgres
import ProducerCore
import RunwayKit
import Synchronization

/// A recording in-memory store: remembers deliveries and events, can be told the database is down.
final class FakeStore: WebhookStore {
    struct State {
        var events: [StoreJobEvent] = []
        var ignored: [(id: String, event: String, outcome: String)] = []
        var deliveries: Set<String> = []
        var checkpoints: [String: String] = [:]
        var down = false
    }
    let state = Mutex(State())

    var events: [StoreJobEvent] { state.withLock { $0.events } }
    var ignored: [(id: String, event: String, outcome: String)] { state.withLock { $0.ignored } }
    func setDown(_ down: Bool) { state.withLock { $0.down = down } }

    private func checkUp() throws {
        if state.withLock({ $0.down }) { throw PostgresError(.connectionFailed, "connection refused") }
    }

    func recordDelivery(_ event: StoreJobEvent) async throws -> RecordResult {
        try checkUp()
        return state.withLock { s in
            if !s.deliveries.insert(event.deliveryID).inserted { return .duplicate(jobID: event.jobID) }
            s.events.append(event)
            return .recorded(jobID: event.jobID, status: event.status.rawValue,
                             dispatchState: event.pool == nil ? "unroutable" : "pending", pool: event.pool)
        }
    }

    func recordIgnoredDelivery(deliveryID: String, event: String, action: String?, outcome: String) async throws -> Bool {
        try checkUp()
        return state.withLock { s in
            guard s.deliveries.insert(deliveryID).inserted else { return false }
            s.ignored.append((deliveryID, event, outcome))
            return true
        }
    }

    func deliveryRecorded(_ deliveryID: String) async throws -> Bool {
        try checkUp()
        return state.withLock { $0.deliveries.contains(deliveryID) }
    }

    func checkpoint(_ name: String) async throws -> String? { state.withLock { $0.checkpoints[name] } }
    func setCheckpoint(_ name: String, _ value: String) async throws { state.withLock { $0.checkpoints[name] = value } }
    func ping() async throws { try checkUp() }
}

/// A transport that records requests and answers 202.
final class RecordingTransport: HTTPTransport {
    let requests = Mutex<[ClientRequest]>([])
    func execute(_ request: ClientRequest) async throws -> ClientResponse {
        requests.withLock { $0.append(request) }
        return ClientResponse(status: 202, headers: HTTPHeaders(), body: [])
    }
}

enum Fixtures {
    static func data(_ path: String) throws -> [UInt8] {
        guard let url = Bundle.module.url(forResource: "Fixtures/\(path)", withExtension: nil) else {
            throw CocoaError(.fileNoSuchFile)
        }
        return Array(try Data(contentsOf: url))
    }

    static let pools = try! PoolsConfig.parse("""
        pools:
          - {name: hosted-like, host: eks, os: ubuntu, labels: [ubuntu-latest], orchestrator_url: "http://127.0.0.1:1", eks: {cluster: c}}
          - {name: k8s, host: eks, os: ubuntu, labels: [k8s], orchestrator_url: "http://127.0.0.1:1", eks: {cluster: c}}
        """)
}

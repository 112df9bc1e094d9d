import Foundation
import HTTP
import Testing

@Suite("HTTP server: reactor threads and handler execution modes", .serialized)
struct ServerModeTests {
    static let modes: [(Int, HTTPServerConfiguration.HandlerExecution)] = [
        (1, .reactorThread), (1, .globalPool), (3, .reactorThread), (3, .globalPool),
    ]

    @Test(arguments: modes)
    func servesPipelinesLimitsAndDrains(threads: Int, execution: HTTPServerConfiguration.HandlerExecution) async throws {
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.reactorThreads = threads
        configuration.handlerExecution = execution
        configuration.maxConnections = 6
        let arrivals = Arrivals()
        let server = HTTPServer(configuration: configuration, router: testRouter(arrivals: arrivals), logger: quietLogger)
        let port = try server.start()
        // Six connections (spread over the reactors) each pipeline three requests; a seventh is refused.
        let (statuses, texts, refused) = try await offPool {
            let clients = try (0..<6).map { _ in try RawClient(port: port) }
            for (i, client) in clients.enumerated() {
                try client.send("GET /jobs/\(i) HTTP/1.1\r\nHost: t\r\n\r\nPOST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhiGET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            }
            var statuses: [Int] = [], texts: [String] = []
            for client in clients {
                for _ in 0..<3 {
                    let response = try client.readResponse()
                    statuses.append(response.status)
                    texts.append(response.text)
                }
            }
            let extra = try RawClient(port: port)
            try extra.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            return (statuses, texts, try extra.readResponse().status)
        }
        #expect(statuses == Array(repeating: 200, count: 18))
        #expect(texts == (0..<6).flatMap { ["job \($0)", "hi", "ok"] })
        #expect(refused == 503)
        let slow = Task {
            try await offPool {
                let client = try RawClient(port: port)
                try client.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
                return try client.readResponse()
            }
        }
        try await arrivals.wait(for: 1)
        await server.shutdown()
        let response = try await slow.value
        #expect(response.status == 200)
        #expect(response.text == "slow done")
    }
}

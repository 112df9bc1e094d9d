// GET /healthz → "ok"; POST /json → decode the 6 KiB order with Codable, answer a summary.
import Foundation
import HTTP
import Logging

struct Order: Codable {
    struct Line: Codable {
        var sku: String
        var name: String
        var quantity: Int
        var price: Double
        var tags: [String]
    }
    var id: Int
    var customer: String
    var lines: [Line]
}

struct Summary: Codable {
    var id: Int
    var lines: Int
    var total: Double
}

let port = Int(CommandLine.arguments.dropFirst().first ?? "8080") ?? 8080
var logger = Logger(label: "runway-http-bench")
// Like the Hummingbird yardstick, no per-request log line (the access log is info level).
logger.logLevel = .warning
var router = Router()
router.get("/healthz") { _ in .text("ok") }
router.post("/json") { request in
    let order = try request.decodeJSON(Order.self)
    return .json(Summary(id: order.id, lines: order.lines.count, total: order.lines.reduce(0) { $0 + $1.price * Double($1.quantity) }))
}
var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: port)
configuration.maxConnections = 4096
if ProcessInfo.processInfo.environment["RUNWAY_HANDLERS"] == "pool" {
    configuration.handlerExecution = .globalPool
}
let server = HTTPServer(configuration: configuration, router: router, logger: logger)
_ = try server.start()
while true {
    try await Task.sleep(for: .seconds(3600))
}

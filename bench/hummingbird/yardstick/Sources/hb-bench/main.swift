// GET /healthz → "ok"; POST /json → decode the 6 KiB order with Codable, answer a summary.
import Foundation
import Hummingbird
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

struct Summary: ResponseCodable {
    var id: Int
    var lines: Int
    var total: Double
}

let port = Int(CommandLine.arguments.dropFirst().first ?? "8081") ?? 8081
var logger = Logger(label: "hb-bench")
logger.logLevel = .warning
let router = Router()
router.get("/healthz") { _, _ in "ok" }
router.post("/json") { request, context -> Summary in
    let order = try await request.decode(as: Order.self, context: context)
    return Summary(id: order.id, lines: order.lines.count, total: order.lines.reduce(0) { $0 + $1.price * Double($1.quantity) })
}
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
try await app.runService()

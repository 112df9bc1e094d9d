import ArgumentParser
import Foundation
import HTTP
import RunwayKit
import HTTPClient

/// Where the Publisher's admin API is and how to authenticate to it.
struct PublisherOptions: ParsableArguments {
    @Option(name: .long, help: "Publisher base URL (default: $PUBLISHER_URL, then http://localhost:8080).")
    var publisherURL: String?

    @Flag(name: .long, help: "Print the raw JSON answer instead of a table.")
    var json = false

    /// GETs `path` with the internal token and returns the body, or exits with a clear message.
    func get(_ path: String) async throws -> [UInt8] {
        let env = ProcessInfo.processInfo.environment
        var base = publisherURL ?? env["PUBLISHER_URL"] ?? "http://localhost:8080"
        while base.hasSuffix("/") { base.removeLast() }
        let token = try CLIError.secret("RUNWAY_INTERNAL_TOKEN", environment: env)
        var headers = HTTPHeaders()
        headers.add("Accept", "application/json")
        if let token, !token.isEmpty { headers.add("Authorization", "Bearer \(token)") }
        let client = HTTPClient()
        defer { client.shutdown() }
        let response: ClientResponse
        do {
            response = try await client.execute(ClientRequest(url: base + path, headers: headers, timeout: .seconds(10)))
        } catch {
            throw CLIError("cannot reach the Publisher at \(base): \(error)")
        }
        guard response.status == 200 else {
            let detail = (try? JSONDecoder().decode(HTTPResponse.ErrorBody.self, from: Data(response.body)))
                .map { "\($0.error.code): \($0.error.message)" } ?? "HTTP \(response.status)"
            let hint = response.status == 401 ? " (set RUNWAY_INTERNAL_TOKEN)" : ""
            throw CLIError("the Publisher answered \(response.status): \(detail)\(hint)")
        }
        return response.body
    }
}

/// A failure reported to the operator as one line on stderr.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }

    /// A secret read as the services read it (`NAME` or `NAME_FILE`, never both; empty is unset).
    static func secret(_ name: String, environment: [String: String]) throws(CLIError) -> String? {
        var reader = ConfigReader(environment)
        let value = reader.secret(name)
        do { try reader.finish() } catch { throw CLIError(error.description) }
        return value
    }
}

/// A job as the admin API returns it.
struct JobRow: Decodable {
    var id: Int64
    var run_id: Int64?
    var repository: String?
    var labels: [String]?
    var pool: String?
    var status: String
    var dispatch_state: String
    var runner_name: String?
    var attempts: Int
    var last_error: String?
    var received_at: String?
    var launched_at: String?
    var completed_at: String?
    var trace_id: String?
}

/// Renders rows as a left-aligned text table.
enum Table {
    static func render(_ header: [String], _ rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in i == cells.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }
}

/// `runway jobs [--state S] [--pool P] [--limit N]`: recent jobs, newest first.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "jobs", abstract: "List jobs from the Publisher (newest first).")

    @OptionGroup var publisher: PublisherOptions

    @Option(name: .long, help: "Dispatch state: pending, dispatching, launched, done, unroutable, failed, cancelled.")
    var state: String?

    @Option(name: .long, help: "Pool name.")
    var pool: String?

    @Option(name: .long, help: "At most this many jobs (1-1000).")
    var limit: Int = 50

    func run() async throws {
        var query = ["limit=\(limit)"]
        if let state { query.append("state=\(state.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? state)") }
        if let pool { query.append("pool=\(pool.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? pool)") }
        do {
            let body = try await publisher.get("/v1/jobs?" + query.joined(separator: "&"))
            if publisher.json { return print(String(decoding: body, as: UTF8.self)) }
            struct List: Decodable { var jobs: [JobRow] }
            let jobs = try JSONDecoder().decode(List.self, from: Data(body)).jobs
            let rows = jobs.map { job in
                [String(job.id), job.pool ?? "-", job.status, job.dispatch_state, String(job.attempts), job.runner_name ?? "-",
                 job.received_at ?? "-", String((job.last_error ?? "").prefix(60))]
            }
            print(Table.render(["ID", "POOL", "STATUS", "DISPATCH", "ATTEMPTS", "RUNNER", "RECEIVED", "LAST ERROR"], rows))
        } catch {
            FileHandle.standardError.write(Data("runway jobs: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// `runway job ID`: one job in full.
struct JobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "job", abstract: "Show one job from the Publisher.")

    @OptionGroup var publisher: PublisherOptions

    @Argument(help: "The workflow_job id.")
    var id: Int64

    func run() async throws {
        do {
            let body = try await publisher.get("/v1/jobs/\(id)")
            if publisher.json { return print(String(decoding: body, as: UTF8.self)) }
            let job = try JSONDecoder().decode(JobRow.self, from: Data(body))
            let fields: [(String, String)] = [
                ("id", String(job.id)), ("run_id", job.run_id.map(String.init) ?? "-"), ("repository", job.repository ?? "-"),
                ("labels", (job.labels ?? []).joined(separator: ", ")), ("pool", job.pool ?? "-"), ("status", job.status),
                ("dispatch_state", job.dispatch_state), ("runner_name", job.runner_name ?? "-"), ("attempts", String(job.attempts)),
                ("last_error", job.last_error ?? "-"), ("received_at", job.received_at ?? "-"), ("launched_at", job.launched_at ?? "-"),
                ("completed_at", job.completed_at ?? "-"), ("trace_id", job.trace_id ?? "-"),
            ]
            print(Table.render(["FIELD", "VALUE"], fields.map { [$0.0, $0.1] }))
        } catch {
            FileHandle.standardError.write(Data("runway job: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// `runway pools [list]`: each pool's queue and limits; `runway pools check`: preflight.
struct PoolsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pools", abstract: "Show pools with pending and active counts, or check their AWS resources.",
        subcommands: [PoolsListCommand.self, PoolsCheckCommand.self], defaultSubcommand: PoolsListCommand.self)
}

/// `runway pools list` (the default): each pool's queue and limits from the Publisher.
struct PoolsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Show pools with pending and active counts.")

    @OptionGroup var publisher: PublisherOptions

    func run() async throws {
        do {
            let body = try await publisher.get("/v1/pools")
            if publisher.json { return print(String(decoding: body, as: UTF8.self)) }
            struct Pool: Decodable { var name: String; var pending: Int; var active: Int; var max_runners: Int; var launch_rate: Double }
            struct List: Decodable { var pools: [Pool] }
            let pools = try JSONDecoder().decode(List.self, from: Data(body)).pools
            let rows = pools.map { [$0.name, String($0.pending), String($0.active), String($0.max_runners), String(format: "%g/s", $0.launch_rate)] }
            print(Table.render(["POOL", "PENDING", "ACTIVE", "MAX RUNNERS", "LAUNCH RATE"], rows))
        } catch {
            FileHandle.standardError.write(Data("runway pools: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

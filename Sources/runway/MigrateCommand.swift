import ArgumentParser
import Foundation
import JobStore
import Logging
import Postgres

/// `runway migrate`: applies the schema migrations to `DATABASE_URL` (safe to run concurrently).
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply database migrations (DATABASE_URL or --database-url).")

    @Option(name: .long, help: "libpq connection string or URI (default: $DATABASE_URL, then the PG* variables).")
    var databaseURL: String?

    @Flag(name: .long, help: "Only report the current schema version.")
    var check = false

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        let url = try databaseURL ?? CLIError.secret("DATABASE_URL", environment: env) ?? ""
        let logger = Logger(label: "runway.migrate")
        let pool = PostgresPool(configuration: PostgresConfiguration(connectionString: url, poolSize: 1), logger: logger)
        defer { pool.shutdown() }
        do {
            if check {
                let version = try await Migrator.verify(pool)
                print("schema version \(version) (this binary knows up to \(Migrator.latestVersion))")
            } else {
                let report = try await Migrator.migrate(pool, logger: logger)
                let applied = report.applied.isEmpty ? "nothing to apply" : "applied \(report.applied.map(String.init).joined(separator: ", "))"
                print("schema version \(report.currentVersion): \(applied)")
            }
        } catch {
            FileHandle.standardError.write(Data("runway migrate: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

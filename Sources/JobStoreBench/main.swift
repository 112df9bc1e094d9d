// jobstore-bench: drives the JobStore for scripts/bench-store.sh and prints one result line.
//
//   jobstore-bench migrate URL
//   jobstore-bench upsert URL CONCURRENCY SECONDS       → "rate=N"   durable record() calls/s
//   jobstore-bench claim URL CONCURRENCY BATCH SECONDS  → "rate=N"   jobs claimed/s
//   jobstore-bench latency URL BATCH COUNT              → "p50_ms=… p99_ms=…" of single claims
import Foundation
import JobStore
import Logging
import Postgres

let arguments = CommandLine.arguments
func argument(_ index: Int) -> String {
    guard index < arguments.count else {
        FileHandle.standardError.write(Data("usage: jobstore-bench migrate|upsert|claim|latency URL ...\n".utf8))
        exit(2)
    }
    return arguments[index]
}
func number(_ index: Int) -> Int {
    guard let value = Int(argument(index)), value > 0 else {
        FileHandle.standardError.write(Data("argument \(index) must be a positive integer\n".utf8))
        exit(2)
    }
    return value
}

var logger = Logger(label: "jobstore-bench")
logger.logLevel = .warning
let mode = argument(1)
let url = argument(2)
let concurrency = mode == "upsert" || mode == "claim" ? number(3) : 1
let pool = PostgresPool(configuration: .init(connectionString: url, poolSize: max(2, min(concurrency, 8))), logger: logger)
let commitConcurrency = Int(ProcessInfo.processInfo.environment["BENCH_COMMIT_CONCURRENCY"] ?? "") ?? 4
let store = JobStore(pool: pool, logger: logger, commitConcurrency: commitConcurrency)

/// Runs `body` from `concurrency` tasks until the deadline; returns the summed counts per second.
func measure(concurrency: Int, seconds: Int, _ body: @escaping @Sendable (Int, Int) async throws -> Int) async throws -> Double {
    let start = ContinuousClock.now
    let deadline = start + .seconds(seconds)
    let total = try await withThrowingTaskGroup(of: Int.self) { group in
        for worker in 0..<concurrency {
            group.addTask {
                var done = 0
                var iteration = 0
                while ContinuousClock.now < deadline {
                    done += try await body(worker, iteration)
                    iteration += 1
                }
                return done
            }
        }
        return try await group.reduce(0, +)
    }
    let elapsed = ContinuousClock.now - start
    return Double(total) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
}

do {
    switch mode {
    case "migrate":
        let report = try await Migrator.migrate(pool, logger: logger)
        print("schema=\(report.currentVersion)")
    case "upsert":
        let seconds = number(4)
        // Job ids far from the seeded ranges; each call is a new delivery of a new queued job.
        let base = Int64(Date().timeIntervalSince1970) * 1_000_000
        let rate = try await measure(concurrency: concurrency, seconds: seconds) { worker, iteration in
            let id = base + Int64(worker) * 100_000 + Int64(iteration)
            _ = try await store.record(WorkflowJobEvent(
                deliveryID: "bench-\(id)", action: "queued", jobID: id, runID: id, repository: "octo/repo",
                owner: "octo", installationID: 1, labels: ["self-hosted", "linux", "x64"], status: .queued, pool: "bench-upsert"
            ))
            return 1
        }
        print(String(format: "rate=%.0f", rate))
    case "claim":
        let batch = number(4)
        let seconds = number(5)
        let rate = try await measure(concurrency: concurrency, seconds: seconds) { worker, _ in
            try await store.claim(pool: "bench", limit: batch, leaseOwner: "bench-\(worker)", lease: .seconds(600)).count
        }
        print(String(format: "rate=%.0f", rate))
    case "latency":
        let batch = number(3)
        let count = number(4)
        var samples: [Double] = []
        for _ in 0..<count {
            let start = ContinuousClock.now
            let claimed = try await store.claim(pool: "bench", limit: batch, leaseOwner: "bench-latency", lease: .seconds(600))
            let elapsed = ContinuousClock.now - start
            guard claimed.count == batch else { throw JobStoreError(.invalidArgument, "ran out of pending jobs") }
            samples.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
        }
        samples.sort()
        func percentile(_ p: Double) -> Double { samples[min(samples.count - 1, Int(Double(samples.count) * p))] }
        print(String(format: "p50_ms=%.3f p99_ms=%.3f", percentile(0.50), percentile(0.99)))
    default:
        FileHandle.standardError.write(Data("unknown mode \(mode)\n".utf8))
        exit(2)
    }
    pool.shutdown()
} catch {
    FileHandle.standardError.write(Data("jobstore-bench: \(error)\n".utf8))
    exit(1)
}

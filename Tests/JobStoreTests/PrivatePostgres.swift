import Foundation
import Testing

/// A Postgres cluster of the test's own, so restarting it cannot disturb tests running in
/// parallel against the shared one. Uses the binaries of scripts/test-env.sh
/// (`RUNWAY_TEST_PG_CTL`) and a directory under `RUNWAY_TEST_WORK`; runs them as `postgres`
/// when the tests run as root (Postgres refuses root).
final class PrivatePostgres: Sendable {
    let bin: String
    let dataDirectory: String
    let port: Int

    var url: String { "postgresql://postgres@127.0.0.1:\(port)/postgres" }

    private init(bin: String, dataDirectory: String, port: Int) {
        self.bin = bin
        self.dataDirectory = dataDirectory
        self.port = port
    }

    static func start() async throws -> PrivatePostgres {
        let environment = ProcessInfo.processInfo.environment
        let pgCtl = try #require(environment["RUNWAY_TEST_PG_CTL"], "run inside scripts/test-env.sh")
        let work = try #require(environment["RUNWAY_TEST_WORK"], "run inside scripts/test-env.sh")
        let root = "\(work)/private-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        if getuid() == 0 { try FileManager.default.setAttributes([.ownerAccountName: "postgres"], ofItemAtPath: root) }
        let server = PrivatePostgres(bin: (pgCtl as NSString).deletingLastPathComponent, dataDirectory: "\(root)/data", port: try freePort())
        try await server.run("initdb", ["-D", server.dataDirectory, "-A", "trust", "-U", "postgres", "--no-sync"])
        try await server.run("pg_ctl", ["-D", server.dataDirectory, "-l", "\(root)/log", "-w", "-o",
                                        "-k \(root) -p \(server.port) -c listen_addresses=127.0.0.1", "start"])
        return server
    }

    /// `pg_ctl restart -m fast`: every session is terminated, in-flight statements fail.
    func restart() async throws {
        try await run("pg_ctl", ["-D", dataDirectory, "-l", "\((dataDirectory as NSString).deletingLastPathComponent)/log", "-w", "-m", "fast", "restart"])
    }

    func stop() async {
        try? await run("pg_ctl", ["-D", dataDirectory, "-w", "-m", "immediate", "stop"])
        try? FileManager.default.removeItem(atPath: (dataDirectory as NSString).deletingLastPathComponent)
    }

    /// Runs a tool to completion. Not Foundation's `Process`: on Linux it waits for EOF on a
    /// pipe the postmaster daemon inherits from `pg_ctl start`, so it never returns. Here the
    /// child gets /dev/null as stdio and a dedicated thread blocks in `waitpid`.
    private func run(_ tool: String, _ arguments: [String]) async throws {
        let argv = getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--", "\(bin)/\(tool)"] + arguments : ["\(bin)/\(tool)"] + arguments
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                var actions = posix_spawn_file_actions_t()
                posix_spawn_file_actions_init(&actions)
                defer { posix_spawn_file_actions_destroy(&actions) }
                posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
                posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
                posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
                // The postmaster outlives pg_ctl: it must inherit neither other descriptors of this
                // process nor the thread's blocked-signal mask (pg_ctl stop signals it).
                for fd: Int32 in 3..<1024 {
                    let flags = fcntl(fd, F_GETFD)
                    if flags >= 0 && flags & FD_CLOEXEC == 0 { posix_spawn_file_actions_addclose(&actions, fd) }
                }
                var attributes = posix_spawnattr_t()
                posix_spawnattr_init(&attributes)
                defer { posix_spawnattr_destroy(&attributes) }
                var empty = sigset_t()
                sigemptyset(&empty)
                posix_spawnattr_setsigmask(&attributes, &empty)
                posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
                let cArguments = argv.map { strdup($0) }
                defer { cArguments.forEach { free($0) } }
                var pid = pid_t()
                let spawned = posix_spawn(&pid, argv[0], &actions, &attributes, cArguments + [nil], environ)
                guard spawned == 0 else {
                    return continuation.resume(throwing: POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO))
                }
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                // WIFEXITED / WEXITSTATUS by hand (the macros are not imported).
                continuation.resume(returning: status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f))
            }
            thread.start()
        }
        try #require(status == 0, "\(tool) exited with \(status)")
    }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(bound, "could not find a free port")
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

import Foundation
import Testing

/// Debian's headless Chromium, run once per call with its own throw-away profile, a time limit,
/// and no network beyond loopback (a dead proxy catches anything else it might try).
enum Chromium {
    /// The browser's path; the test fails (never skips) when it is missing.
    static func executable() throws -> String {
        let path = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        return try #require(path, "chromium is not installed: run scripts/install-deps.sh (apt-get install chromium)")
    }

    /// Runs chromium with `arguments` after the common headless flags; returns its stdout.
    /// A child of the test process inherits a blocked signal mask and open descriptors, so it
    /// starts through a small python3 launcher that clears the mask, closes the descriptors, puts
    /// the browser in its own process group and kills that group after `timeout` seconds.
    static func run(_ arguments: [String], timeout: Int = 25) async throws -> String {
        let browser = try executable()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("runway-chromium-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let output = work.appendingPathComponent("stdout").path
        let flags = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
            "--user-data-dir=\(work.appendingPathComponent("profile").path)", "--no-first-run", "--no-default-browser-check",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
            "--disable-domain-reliability", "--no-pings", "--proxy-server=http://127.0.0.1:9", "--mute-audio",
        ]
        let status = try await Command.run("/usr/bin/env", ["python3", "-c", launcher, String(timeout), output, browser] + flags + arguments)
        let stdout = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: output + ".err", encoding: .utf8)) ?? ""
        try #require(status != 124, "chromium did not finish within \(timeout) s:\n\(stderr.suffix(2000))")
        try #require(status == 0, "chromium exited \(status):\n\(stderr.suffix(2000))")
        return stdout
    }

    private static let launcher = """
        import os, signal, subprocess, sys
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        timeout, out, argv = float(sys.argv[1]), sys.argv[2], sys.argv[3:]
        with open(out, "wb") as stdout, open(out + ".err", "wb") as stderr:
            child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                                     close_fds=True, start_new_session=True)
            try:
                status = child.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                status = 124
            try:
                os.killpg(child.pid, signal.SIGKILL)  # the browser's helpers too
            except ProcessLookupError:
                pass
            child.wait()
        sys.exit(status)
        """
}

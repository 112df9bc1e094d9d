import Foundation

/// Process-level metrics read from the kernel: resident memory, CPU time, open descriptors.
public enum ProcessMetrics {
    /// Resident set size in bytes (from `/proc/self/statm`), or nil off Linux.
    public static func residentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Peak resident set size in bytes (`VmHWM`), or nil off Linux.
    public static func peakResidentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kb = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
            return kb.map { $0 * 1024 }
        }
        return nil
    }

    /// User + system CPU seconds consumed by this process.
    public static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return user + system
    }

    /// Number of open file descriptors, or nil off Linux.
    public static func openDescriptors() -> Int? {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")).map(\.count)
    }

    static func render(startTime: Date) -> String {
        var out = ""
        out += "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
        out += "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total \(cpuSeconds())\n"
        if let rss = residentBytes() {
            out += "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
            out += "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes \(rss)\n"
        }
        if let fds = openDescriptors() {
            out += "# HELP process_open_fds Number of open file descriptors.\n"
            out += "# TYPE process_open_fds gauge\nprocess_open_fds \(fds)\n"
        }
        out += "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n"
        out += "# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds \(Int(startTime.timeIntervalSince1970))\n"
        return out
    }
}

/// Where a job goes, decided from its `runs-on` labels.
public enum RouteDecision: Sendable, Equatable {
    /// The pool whose runners can take the job.
    case pool(Pool)
    /// A GitHub-hosted job (matches `ignore_labels`, no `self-hosted`): acknowledged, not stored.
    case ignored
    /// No pool serves these labels: stored as `unroutable` with the reason, never launched.
    case unroutable(reason: String)
}

extension PoolsConfig {
    /// Routes a job by GitHub's rule: a runner can take a job when it carries every label the job
    /// asks for, compared case-insensitively. Among several pools that qualify, the one with the
    /// fewest labels beyond the job's wins (the most specific), then the first in the file.
    public func route(labels: [String]) -> RouteDecision {
        let wanted = Set(labels.map { $0.lowercased() })
        var best: (pool: Pool, extra: Int)?
        for pool in pools {
            let have = Set(pool.runnerLabels.map { $0.lowercased() })
            guard wanted.isSubset(of: have) else { continue }
            let extra = have.count - wanted.count
            if best == nil || extra < best!.extra { best = (pool, extra) }
        }
        if let best { return .pool(best.pool) }
        if !wanted.contains("self-hosted"), labels.contains(where: { label in ignoreLabels.contains { Glob.matches($0, label) } }) {
            return .ignored
        }
        if labels.isEmpty { return .unroutable(reason: "job has no labels") }
        return .unroutable(reason: "no pool has every label of [\(labels.joined(separator: ", "))]")
    }
}

/// Case-insensitive glob with `*` (any run of characters) and `?` (one character).
public enum Glob {
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.lowercased()), t = Array(text.lowercased())
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count && (p[pi] == "?" || p[pi] == t[ti]) {
                pi += 1; ti += 1
            } else if pi < p.count && p[pi] == "*" {
                star = pi; mark = ti; pi += 1
            } else if star >= 0 {
                pi = star + 1; mark += 1; ti = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}

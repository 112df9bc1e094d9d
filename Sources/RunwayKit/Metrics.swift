import Foundation
import Synchronization

/// A Prometheus-style metrics registry: counters, gauges and histograms with labels, rendered
/// in the text exposition format (version 0.0.4) by `render()`.
///
/// Asking twice for the same name and labels returns a handle to the same series, so callers may
/// look series up on the hot path or keep handles.
public final class MetricsRegistry: Sendable {
    private let families = Mutex<[String: Family]>([:])
    private let startTime = Date()

    public init() {}

    /// A monotonically increasing counter.
    public func counter(_ name: String, help: String, labels: [String: String] = [:]) -> Counter {
        Counter(cell: series(name, help: help, type: "counter", labels: labels, buckets: []))
    }

    /// A value that goes up and down.
    public func gauge(_ name: String, help: String, labels: [String: String] = [:]) -> Gauge {
        Gauge(cell: series(name, help: help, type: "gauge", labels: labels, buckets: []))
    }

    /// A histogram of observations in seconds (or any unit), with cumulative buckets.
    public func histogram(
        _ name: String, help: String, labels: [String: String] = [:], buckets: [Double] = Histogram.defaultBuckets
    ) -> Histogram {
        Histogram(cell: series(name, help: help, type: "histogram", labels: labels, buckets: buckets.sorted()))
    }

    private func series(_ name: String, help: String, type: String, labels: [String: String], buckets: [Double]) -> MetricCell {
        let key = Self.labelText(labels)
        return families.withLock { families in
            var family = families[name] ?? Family(help: help, type: type, buckets: buckets, series: [:])
            if let existing = family.series[key] { return existing }
            let cell = MetricCell(bounds: family.buckets)
            family.series[key] = cell
            families[name] = family
            return cell
        }
    }

    /// The whole registry plus process metrics (RSS, CPU, open fds, start time) as Prometheus text.
    public func render() -> String {
        var out = ""
        let snapshot = families.withLock { $0 }
        for name in snapshot.keys.sorted() {
            guard let family = snapshot[name] else { continue }
            out += "# HELP \(name) \(family.help)\n# TYPE \(name) \(family.type)\n"
            for labels in family.series.keys.sorted() {
                guard let cell = family.series[labels] else { continue }
                let state = cell.state.withLock { $0 }
                if family.type == "histogram" {
                    var cumulative: UInt64 = 0
                    for (i, bound) in family.buckets.enumerated() {
                        cumulative += state.buckets[i]
                        out += "\(name)_bucket\(Self.join(labels, "le=\"\(Self.format(bound))\"")) \(cumulative)\n"
                    }
                    out += "\(name)_bucket\(Self.join(labels, "le=\"+Inf\"")) \(state.count)\n"
                    out += "\(name)_sum\(Self.braces(labels)) \(Self.format(state.value))\n"
                    out += "\(name)_count\(Self.braces(labels)) \(state.count)\n"
                } else {
                    out += "\(name)\(Self.braces(labels)) \(Self.format(state.value))\n"
                }
            }
        }
        out += ProcessMetrics.render(startTime: startTime)
        return out
    }

    static func labelText(_ labels: [String: String]) -> String {
        labels.keys.sorted().map { key in "\(key)=\"\(escape(labels[key] ?? ""))\"" }.joined(separator: ",")
    }

    private static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    private static func braces(_ labels: String) -> String { labels.isEmpty ? "" : "{\(labels)}" }
    private static func join(_ labels: String, _ extra: String) -> String { labels.isEmpty ? "{\(extra)}" : "{\(labels),\(extra)}" }

    static func format(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
        return String(v)
    }

    private struct Family {
        var help: String
        var type: String
        var buckets: [Double]
        var series: [String: MetricCell]
    }
}

/// Storage of one series.
final class MetricCell: Sendable {
    struct State {
        var value: Double = 0
        var count: UInt64 = 0
        /// Per-bound counts (not cumulative; `render()` accumulates).
        var buckets: [UInt64]
    }
    let state: Mutex<State>
    /// Histogram upper bounds, ascending; empty for counters and gauges.
    let bounds: [Double]

    init(bounds: [Double]) {
        self.bounds = bounds
        state = Mutex(State(buckets: [UInt64](repeating: 0, count: bounds.count)))
    }
}

/// A counter handle.
public struct Counter: Sendable {
    let cell: MetricCell
    /// Adds `amount` (must be non-negative; negative amounts are ignored).
    public func inc(by amount: Double = 1) {
        guard amount >= 0 else { return }
        cell.state.withLock { $0.value += amount }
    }
    /// The current value.
    public var value: Double { cell.state.withLock { $0.value } }
}

/// A gauge handle.
public struct Gauge: Sendable {
    let cell: MetricCell
    public func set(_ value: Double) { cell.state.withLock { $0.value = value } }
    public func add(_ delta: Double) { cell.state.withLock { $0.value += delta } }
    public var value: Double { cell.state.withLock { $0.value } }
}

/// A histogram handle.
public struct Histogram: Sendable {
    /// Latency buckets in seconds, 1 ms … 30 s.
    public static let defaultBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
    let cell: MetricCell

    /// Records one observation.
    public func observe(_ value: Double) {
        let index = cell.bounds.firstIndex { value <= $0 }
        cell.state.withLock { state in
            state.value += value
            state.count += 1
            if let index { state.buckets[index] += 1 }
        }
    }

    /// Records a duration in seconds.
    public func observe(_ duration: Duration) { observe(duration.seconds) }

    /// Number of observations.
    public var count: UInt64 { cell.state.withLock { $0.count } }

    /// Sum of observations.
    public var sum: Double { cell.state.withLock { $0.value } }
}

import Foundation
import JobStore

/// The queue-time chart as inline SVG: one slot per minute of the window ending at `end`; in
/// each slot a light bar for the longest queue time and a dark one for the median. Axes are
/// labelled (seconds/minutes on the y axis, UTC minute of launch on the x axis).
struct QueueTimeChart {
    let buckets: [QueueTimeBucket]
    let end: Date
    let minutes: Int

    private let width = 1000.0, height = 250.0
    private let left = 92.0, right = 986.0, top = 30.0, bottom = 206.0

    /// Minute-aligned start of the first slot; the last slot is the minute containing `end`.
    var firstMinute: Date {
        let last = (end.timeIntervalSince1970 / 60).rounded(.down) * 60
        return Date(timeIntervalSince1970: last - Double(minutes - 1) * 60)
    }

    /// The slot of each bucket inside the window (others are dropped).
    var slotted: [(slot: Int, bucket: QueueTimeBucket)] {
        let first = firstMinute.timeIntervalSince1970
        return buckets.compactMap { bucket in
            let slot = Int(((bucket.minute.timeIntervalSince1970 - first) / 60).rounded(.down))
            return (0..<minutes).contains(slot) ? (slot, bucket) : nil
        }
    }

    /// The y axis' top: the smallest "nice" duration at least as long as every bar.
    static func scale(for longest: Double) -> Double {
        let steps: [Double] = [1, 2, 5, 10, 15, 20, 30, 60, 120, 180, 300, 600, 900, 1200, 1800, 3600, 7200, 10800, 21600, 43200, 86400]
        return steps.first { $0 >= longest } ?? (longest / 3600).rounded(.up) * 3600
    }

    func svg() -> String {
        let slots = slotted
        let scale = Self.scale(for: slots.map(\.bucket.max).max() ?? 0)
        let slotWidth = (right - left) / Double(max(1, minutes))
        func y(_ seconds: Double) -> Double { bottom - min(seconds, scale) / scale * (bottom - top) }
        var svg = """
            <svg id="queue-time-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(Int(width)) \(Int(height))" \
            role="img" aria-label="Queue time per minute of launch, last \(minutes) minutes">
            <text class="axis-title" x="14" y="\(n((top + bottom) / 2))" transform="rotate(-90 14 \(n((top + bottom) / 2)))" \
            text-anchor="middle">queue time</text>
            <text class="axis-title" x="\(n((left + right) / 2))" y="244" text-anchor="middle">minute of launch (UTC)</text>

            """
        for step in 0...4 {
            let value = scale * Double(step) / 4
            svg += """
                <line class="grid" x1="\(n(left))" x2="\(n(right))" y1="\(n(y(value)))" y2="\(n(y(value)))"/>\
                <text class="tick" x="\(n(left - 6))" y="\(n(y(value) + 4))" text-anchor="end">\(StatusFormat.duration(value))</text>

                """
        }
        let tickEvery = max(1, minutes / 4)
        for slot in stride(from: 0, to: minutes, by: tickEvery) + [minutes - 1] where slot == minutes - 1 || minutes - 1 - slot >= tickEvery / 2 {
            let x = left + (Double(slot) + 0.5) * slotWidth
            let label = StatusFormat.minute(firstMinute.addingTimeInterval(Double(slot) * 60))
            svg += """
                <line class="axis" x1="\(n(x))" x2="\(n(x))" y1="\(n(bottom))" y2="\(n(bottom + 5))"/>\
                <text class="tick" x="\(n(x))" y="\(n(bottom + 19))" text-anchor="middle">\(label)</text>

                """
        }
        for (slot, bucket) in slots {
            let x = left + Double(slot) * slotWidth
            let tip = "\(StatusFormat.minute(bucket.minute)) UTC: \(bucket.launches) launched, "
                + "median \(StatusFormat.duration(bucket.p50)), longest \(StatusFormat.duration(bucket.max))"
            svg += """
                <g data-minute="\(StatusFormat.minute(bucket.minute))"><title>\(StatusFormat.escape(tip))</title>\
                <rect class="bar-max" x="\(n(x + 1))" y="\(n(y(bucket.max)))" width="\(n(slotWidth - 2))" height="\(n(bottom - y(bucket.max)))"/>\
                <rect class="bar-p50" x="\(n(x + slotWidth * 0.22))" y="\(n(y(bucket.p50)))" width="\(n(slotWidth * 0.56))" height="\(n(bottom - y(bucket.p50)))"/></g>

                """
        }
        if slots.isEmpty {
            svg += """
                <text class="empty" x="\(n((left + right) / 2))" y="\(n((top + bottom) / 2))" text-anchor="middle">\
                No launches in the last \(minutes) minutes</text>

                """
        }
        svg += """
            <line class="axis" x1="\(n(left))" x2="\(n(right))" y1="\(n(bottom))" y2="\(n(bottom))"/>
            <line class="axis" x1="\(n(left))" x2="\(n(left))" y1="\(n(top))" y2="\(n(bottom))"/>
            <rect class="bar-max" x="\(n(right - 190))" y="6" width="12" height="12"/>\
            <text class="tick" x="\(n(right - 173))" y="16">longest</text>
            <rect class="bar-p50" x="\(n(right - 100))" y="6" width="12" height="12"/>\
            <text class="tick" x="\(n(right - 83))" y="16">median</text>
            </svg>
            """
        return svg
    }

    /// A coordinate with at most one decimal.
    private func n(_ value: Double) -> String {
        let tenth = (value * 10).rounded() / 10
        return tenth == tenth.rounded() ? String(Int(tenth)) : String(tenth)
    }
}

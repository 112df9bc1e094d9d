import RunwayKit
import Testing

@Suite struct MetricsTests {
    @Test func rendersPrometheusText() {
        let m = MetricsRegistry()
        m.counter("runway_requests_total", help: "Requests.", labels: ["route": "/a", "status": "200"]).inc()
        m.counter("runway_requests_total", help: "Requests.", labels: ["status": "200", "route": "/a"]).inc(by: 2)
        m.gauge("runway_open", help: "Open.").set(5)
        let h = m.histogram("runway_latency_seconds", help: "Latency.", buckets: [0.01, 0.1])
        h.observe(0.005)
        h.observe(0.05)
        h.observe(3)
        let text = m.render()
        #expect(text.contains("# TYPE runway_requests_total counter\nrunway_requests_total{route=\"/a\",status=\"200\"} 3\n"))
        #expect(text.contains("runway_open 5\n"))
        #expect(text.contains("runway_latency_seconds_bucket{le=\"0.01\"} 1\n"))
        #expect(text.contains("runway_latency_seconds_bucket{le=\"0.1\"} 2\n"))
        #expect(text.contains("runway_latency_seconds_bucket{le=\"+Inf\"} 3\n"))
        #expect(text.contains("runway_latency_seconds_count 3\n"))
        #expect(text.contains("process_resident_memory_bytes "))
        #expect(text.contains("process_cpu_seconds_total "))
    }

    @Test func labelValuesAreEscaped() {
        let m = MetricsRegistry()
        m.counter("c", help: "h", labels: ["reason": "a \"b\"\nc"]).inc()
        #expect(m.render().contains(#"c{reason="a \"b\"\nc"} 1"#))
    }
}

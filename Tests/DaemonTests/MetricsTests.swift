import Foundation
import Testing
@testable import Daemon

struct MetricsRenderTests {
    @Test func rendersCountersWithHelpTypeAndSortedSeries() {
        let r = MetricsRegistry(includeProcessMetrics: false)
        let f = r.counter("batch_executions_total", help: "Executions that ended.", labels: ["job", "outcome"])
        f.labels("report", "succeeded").add(2)
        f.labels("backup", "failed").inc()
        #expect(r.render() == """
            # HELP batch_executions_total Executions that ended.
            # TYPE batch_executions_total counter
            batch_executions_total{job="backup",outcome="failed"} 1
            batch_executions_total{job="report",outcome="succeeded"} 2

            """)
    }

    @Test func familiesAreSortedByName() {
        let r = MetricsRegistry(includeProcessMetrics: false)
        r.gauge("zeta", help: "z").set(1)
        r.gauge("alpha", help: "a").set(0.5)
        r.gauge("mid", help: "m") { 7 }
        let names = r.render().split(separator: "\n").filter { $0.hasPrefix("# TYPE") }
        #expect(names == ["# TYPE alpha gauge", "# TYPE mid gauge", "# TYPE zeta gauge"])
    }

    @Test(arguments: [
        ("plain", "plain"),
        ("a\"b", "a\\\"b"),
        ("back\\slash", "back\\\\slash"),
        ("new\nline", "new\\nline"),
    ])
    func escapesLabelValues(value: String, expected: String) {
        #expect(PrometheusText.escapeLabelValue(value) == expected)
    }

    @Test(arguments: [
        (1.0, "1"), (0.0, "0"), (-3.0, "-3"), (0.25, "0.25"), (1e-05, "1e-05"),
        (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"), (Double.nan, "NaN"), (1e20, "1e+20"),
    ])
    func formatsNumbersAsPrometheusParsesThem(value: Double, expected: String) {
        #expect(PrometheusText.number(value) == expected)
    }

    @Test func histogramBucketsAreCumulativeWithInfSumAndCount() {
        let r = MetricsRegistry(includeProcessMetrics: false)
        let h = r.histogram("run_seconds", help: "Run time.", labels: ["job"], buckets: [0.1, 1, 10])
        for v in [0.05, 0.5, 0.5, 5, 50] { h.labels("a").observe(v) }
        #expect(r.render() == """
            # HELP run_seconds Run time.
            # TYPE run_seconds histogram
            run_seconds_bucket{job="a",le="0.1"} 1
            run_seconds_bucket{job="a",le="1"} 3
            run_seconds_bucket{job="a",le="10"} 4
            run_seconds_bucket{job="a",le="+Inf"} 5
            run_seconds_sum{job="a"} 56.05
            run_seconds_count{job="a"} 5

            """)
    }

    @Test func observationOnABoundFallsIntoThatBucket() {
        let h = Histogram(upperBounds: [1, 2])
        h.observe(1)
        h.observe(2)
        h.observe(2.0000001)
        #expect(h.read().cumulative == [1, 2, 3])
    }

    @Test func unlabelledFamiliesShowZeroBeforeFirstUse() {
        let r = MetricsRegistry(includeProcessMetrics: false)
        _ = r.counter("fires_total", help: "Fires.")
        #expect(r.render().contains("\nfires_total 0\n"))
    }

    @Test func registeringTheSameFamilyTwiceReturnsIt() {
        let r = MetricsRegistry(includeProcessMetrics: false)
        let a = r.counter("x_total", help: "x", labels: ["k"])
        let b = r.counter("x_total", help: "x", labels: ["k"])
        a.labels("v").inc()
        b.labels("v").inc()
        #expect(a === b)
        #expect(r.snapshot()["x_total{k=\"v\"}"] == 2)
    }

    @Test func callbackGaugesAreReadAtRenderTimeAndDropDuplicates() {
        let r = MetricsRegistry(includeProcessMetrics: false)
        let depth = Counter()
        r.gauge("queue_depth", help: "Depth.", labels: ["priority"]) {
            [(["1"], depth.value), (["0"], 4), (["1"], 99), (["too", "many"], 1)]
        }
        depth.add(3)
        #expect(r.render() == """
            # HELP queue_depth Depth.
            # TYPE queue_depth gauge
            queue_depth{priority="0"} 4
            queue_depth{priority="1"} 3

            """)
    }

    @Test func gaugesMoveBothWays() {
        let r = MetricsRegistry(includeProcessMetrics: false)
        let g = r.gauge("running", help: "Running.", labels: ["worker"]).labels("w1")
        g.inc(); g.inc(); g.dec()
        #expect(g.value == 1)
        g.set(-2.5)
        #expect(g.value == -2.5)
    }

    @Test func helpTextIsEscaped() {
        let r = MetricsRegistry(includeProcessMetrics: false)
        _ = r.gauge("g", help: "line\\one\ntwo")
        #expect(r.render().hasPrefix("# HELP g line\\\\one\\ntwo\n"))
    }

    @Test func countersAddFromManyThreadsWithoutLosingUpdates() {
        let c = Counter()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<10_000 { c.inc() }
        }
        #expect(c.value == 40_000)
    }
}

struct MetricsSnapshotTests {
    @Test func flattensSeriesAndHistogramsWithQuantiles() {
        let r = MetricsRegistry(includeProcessMetrics: false)
        r.counter("done_total", help: "d", labels: ["job"]).labels("a b").add(3)
        r.gauge("depth", help: "d").set(7)
        let h = r.histogram("run_seconds", help: "r", labels: ["job"], buckets: [1, 2, 4])
        for _ in 0..<100 { h.labels("a").observe(1.5) }
        _ = h.labels("empty")
        let s = r.snapshot()
        #expect(s["done_total{job=\"a b\"}"] == 3)
        #expect(s["depth"] == 7)
        #expect(s["run_seconds_count{job=\"a\"}"] == 100)
        #expect(s["run_seconds_sum{job=\"a\"}"] == 150)
        // All 100 sit in (1, 2]: p50 interpolates to the middle, p99 near the top.
        #expect(s["run_seconds_p50{job=\"a\"}"] == 1.5)
        #expect(abs(s["run_seconds_p99{job=\"a\"}"]! - 1.99) < 1e-9)
        #expect(s["run_seconds_count{job=\"empty\"}"] == 0)
        #expect(s["run_seconds_p50{job=\"empty\"}"] == nil)
    }

    @Test(arguments: [
        // (observations, quantile, expected)
        ([0.5, 0.5, 3.0, 3.0], 0.5, 1.0),      // rank 2 is the last of the first bucket (0, 1]
        ([0.5, 0.5, 3.0, 3.0], 0.75, 3.0),     // rank 3 halfway into (2, 4]
        ([10.0], 0.99, 4.0),                   // beyond the last bound: the last bound
        ([1.5], 0.0, 1.0),                     // rank 0: the lower edge of the first non-empty bucket
    ])
    func estimatesQuantilesLikeHistogramQuantile(observations: [Double], q: Double, expected: Double) {
        let h = Histogram(upperBounds: [1, 2, 4])
        for o in observations { h.observe(o) }
        #expect(h.read().quantile(q) == expected)
    }

    @Test func includesProcessMetrics() {
        let r = MetricsRegistry()
        let s = r.snapshot()
        #expect((s["process_resident_memory_bytes"] ?? 0) > 0)
        #expect((s["process_open_fds"] ?? 0) > 0)
        #expect((s["process_threads"] ?? 0) >= 1)
    }
}

struct ProcessStatsTests {
    @Test func parsesStatWithSpacesAndParenthesesInTheCommandName() throws {
        // Fields 3.. of proc(5); utime 150, stime 50, threads 7, starttime 1000, vsize 4096000, rss 25 pages.
        let text = "4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 100 0 0 0 150 50 0 0 20 0 7 0 1000 4096000 25 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
        let s = try ProcessStats.parseStat(text, clockTicks: 100, pageSize: 4096, bootTime: 1_700_000_000)
        #expect(s.pid == 4242)
        #expect(s.cpuSeconds == 2.0)
        #expect(s.threads == 7)
        #expect(s.startTime == 1_700_000_010)
        #expect(s.virtualBytes == 4_096_000)
        #expect(s.residentBytes == 25 * 4096)
    }

    @Test func bootTimeNeedsNoProcStatAndAgreesWithIt() throws {
        // The units hide /proc/stat (ProcSubset=pid): the boot time comes from the clocks, and
        // where /proc/stat is readable its btime says the same to within a second.
        let now = Date().timeIntervalSince1970
        #expect(ProcessStats.bootTime > 1_600_000_000 && ProcessStats.bootTime < now)
        let text = try String(contentsOfFile: "/proc/stat", encoding: .utf8)
        let btime = try #require(text.split(separator: "\n").first { $0.hasPrefix("btime ") }.flatMap { Double($0.dropFirst(6)) })
        #expect(abs(ProcessStats.bootTime - btime) < 1.5, "clocks say \(ProcessStats.bootTime), /proc/stat says \(btime)")
        let started = try ProcessStats.read().startTime
        #expect(started <= now + 1 && started > now - 24 * 3600, "this test process started at \(started)?")
    }

    @Test func refusesTruncatedStat() {
        #expect(throws: DaemonError.self) {
            try ProcessStats.parseStat("1 (x) S 1 2", clockTicks: 100, pageSize: 4096, bootTime: 0)
        }
    }

    @Test func readsThisProcess() throws {
        let s = try ProcessStats.read()
        #expect(s.pid == getpid())
        #expect(s.residentBytes > 0)
        #expect(ProcessStats.residentBytes() > 0)
        #expect(s.openFDs >= 3)
        #expect(s.maxFDs >= s.openFDs)
        let now = Date().timeIntervalSince1970
        #expect(s.startTime > now - 86_400 && s.startTime <= now + 1)
        #expect(!ProcessStats.hostname.isEmpty)
    }
}

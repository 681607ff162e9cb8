import Foundation
import Testing
@testable import Daemon

/// The rendered text must pass the reference checker, `promtool check metrics`
/// (package `prometheus`, installed by scripts/deps.sh test): its absence is a failure.
struct PromtoolTests {
    static let promtool = "/usr/bin/promtool"

    func fullRegistry() -> MetricsRegistry {
        let r = MetricsRegistry()
        let exec = r.counter("batch_executions_total", help: "Executions that reached a terminal state.",
                             labels: ["job", "outcome"])
        exec.labels("report", "succeeded").add(12)
        exec.labels("we\"ird\\job\nname", "failed").inc()
        let running = r.gauge("batch_running", help: "Executions running on this worker.", labels: ["worker"])
        running.labels("worker-a").set(3)
        running.labels("worker-b").set(0)
        r.gauge("batch_queue_depth", help: "Ids waiting in the queue.", labels: ["priority"]) {
            [(["0"], 5), (["9"], 1)]
        }
        r.gauge("batch_up", help: "Whether the daemon runs.") { 1 }
        let run = r.histogram("batch_run_seconds", help: "Run time of executions.", labels: ["job"])
        for v in [0.001, 0.2, 3, 42, 700, 5000] { run.labels("report").observe(v) }
        run.labels("sleep").observe(1)
        let http = r.histogram("batch_http_request_duration_seconds", help: "HTTP latency.",
                               labels: ["route", "code"], buckets: Histogram.latencyBuckets)
        http.labels("/health", "200").observe(0.0004)
        return r
    }

    @Test func renderedRegistryPassesPromtoolCheckMetrics() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.promtool),
                "promtool is missing: run scripts/deps.sh test (package prometheus)")
        let text = fullRegistry().render()
        let (status, output) = try await onThread { try self.run(Self.promtool, ["check", "metrics"], input: text) }
        #expect(status == 0, "promtool check metrics said: \(output)\n---\n\(text)")
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "lint: \(output)")
        #expect(text.contains("process_cpu_seconds_total "))
        #expect(text.contains("process_start_time_seconds "))
        #expect(text.contains("process_max_fds "))
    }

    @Test func renderedRegistryHasNoDuplicateSeriesAndMonotoneBuckets() {
        let text = fullRegistry().render()
        var seen = Set<String>()
        var buckets: [String: [Double]] = [:]  // series without le → counts in order
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let key = String(line[..<line.lastIndex(of: " ")!])
            #expect(seen.insert(key).inserted, "duplicate series \(key)")
            if key.contains("_bucket{") {
                let value = Double(line[line.index(after: line.lastIndex(of: " ")!)...])!
                let series = key.replacingOccurrences(of: #",?le="[^"]*""#, with: "", options: .regularExpression)
                buckets[series, default: []].append(value)
            }
        }
        #expect(buckets.count == 3)
        for (series, counts) in buckets {
            #expect(zip(counts, counts.dropFirst()).allSatisfy { $0 <= $1 }, "buckets decrease in \(series)")
        }
    }

    /// Runs blocking work on a thread of its own, off the cooperative pool.
    private func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { c in
            Thread.detachNewThread { c.resume(with: Result { try body() }) }
        }
    }

    /// Input comes from a file and output is small, so no pipe can fill up and stall.
    private func run(_ path: String, _ args: [String], input: String) throws -> (Int32, String) {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("daemon-promtool-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let inFile = dir.appendingPathComponent("metrics.txt")
        try Data(input.utf8).write(to: inFile)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        p.standardInput = try FileHandle(forReadingFrom: inFile)
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

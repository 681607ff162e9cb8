import BatchCore
import Foundation
import Glibc
import Schedule
import TestSupport
import Testing

/// bench/scheduler: one scheduler with 10,000 schedules. Idle CPU while none
/// fires, then, after a SIGHUP that makes 20 of them fire every second, the
/// lateness of fires as the gateway sees them. Runs only with BATCH_SCHEDULER_BENCH=1.
@Suite(.serialized, .blocking, .enabled(if: ProcessInfo.processInfo.environment["BATCH_SCHEDULER_BENCH"] == "1"))
struct SchedulerBenchTests {
    static let env = ProcessInfo.processInfo.environment

    /// `total` schedules; the first `everySecond` fire every second, the others once a day at
    /// an hour that is not now.
    static func schedules(total: Int, everySecond: Int) -> String {
        let quietHour = (Calendar(identifier: .gregorian).component(.hour, from: Date()) + 12) % 24
        return (0..<total).map { i in
            let cron = i < everySecond ? "* * * * * *" : "\(i % 60) \(i / 60 % 60) \(quietHour) * * *"
            return "[schedule \"b\(i)\"]\njob = report\ncron = \(cron)\nparam.at = {fire-time}\n"
        }.joined(separator: "\n")
    }

    /// utime + stime of a process, seconds.
    static func cpuSeconds(_ pid: pid_t) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime 14 and stime 15 (1-based over the whole line).
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ((Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)) / ticks
    }

    static func percentile(_ sorted: [Int64], _ p: Double) -> Int64 {
        guard !sorted.isEmpty else { return -1 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }

    @Test func tenThousandSchedulesIdleCPUAndFireLateness() throws {
        let total = Int(Self.env["BATCH_SCHEDULER_BENCH_SCHEDULES"] ?? "") ?? 10_000
        let firing = Int(Self.env["BATCH_SCHEDULER_BENCH_FIRING"] ?? "") ?? 20
        let idleSeconds = Double(Self.env["BATCH_SCHEDULER_BENCH_IDLE_SECONDS"] ?? "") ?? 20
        let fireSeconds = Int64(Self.env["BATCH_SCHEDULER_BENCH_FIRE_SECONDS"] ?? "") ?? 30
        let server = try RedisServer.shared
        let gateway = try FakeGateway()
        defer { gateway.stop() }
        let idle = SchedulerProcesses.config(gateways: [gateway.url], leaderTTL: "10s", tick: "100ms",
                                             schedules: Self.schedules(total: total, everySecond: 0))
        let procs = try SchedulerProcesses(config: idle, redisURL: server.url, namespace: RedisServer.uniqueNamespace())
        defer { procs.cleanUp() }
        let port = freeTCPPort()
        let scheduler = try procs.start(id: "bench", port: port)
        defer { scheduler.terminate(grace: .seconds(10)) }
        let client = MetricsProbe(port: port)
        #expect(waitUntil(timeout: .seconds(60)) { client.metric("batch_scheduler_leader") == 1 }, "the scheduler never led")

        // Idle: everything loaded, nothing due.
        let warm = Date()
        _ = waitUntil(timeout: .seconds(5)) { Date().timeIntervalSince(warm) >= 5 }
        let cpu0 = Self.cpuSeconds(scheduler.pid), t0 = Date()
        _ = waitUntil(timeout: .seconds(Int(idleSeconds) + 5), poll: .milliseconds(200)) { Date().timeIntervalSince(t0) >= idleSeconds }
        let idleCPU = (Self.cpuSeconds(scheduler.pid) - cpu0) / Date().timeIntervalSince(t0)

        // Firing: `firing` schedules every second, the rest still loaded.
        try procs.rewrite(SchedulerProcesses.config(gateways: [gateway.url], leaderTTL: "10s", tick: "100ms",
                                                    schedules: Self.schedules(total: total, everySecond: firing)))
        scheduler.signal(SIGHUP)
        #expect(waitUntil(timeout: .seconds(30)) { gateway.received.count >= firing })
        let start = gateway.received.count
        let cpu1 = Self.cpuSeconds(scheduler.pid), t1 = Date()
        #expect(waitUntil(timeout: .seconds(Int(fireSeconds) + 30), poll: .milliseconds(200)) {
            gateway.received.count - start >= Int(fireSeconds) * firing
        })
        let firingCPU = (Self.cpuSeconds(scheduler.pid) - cpu1) / Date().timeIntervalSince(t1)
        let lateness = gateway.received.dropFirst(start).compactMap { r -> Int64? in
            guard let ft = r.request.trigger?.fireTime, let t = try? Instant(iso8601: ft, zone: .utc) else { return nil }
            return r.at - t.millisecondsSinceEpoch
        }.sorted()
        let own50 = client.histogramQuantile("batch_scheduler_fire_lateness_seconds", 0.5).map { $0 * 1000 } ?? -1
        let own99 = client.histogramQuantile("batch_scheduler_fire_lateness_seconds", 0.99).map { $0 * 1000 } ?? -1
        let p50 = Self.percentile(lateness, 0.5), p99 = Self.percentile(lateness, 0.99), worst = lateness.last ?? -1
        print("""
        scheduler bench: \(total) schedules loaded
          idle CPU: \(String(format: "%.2f", idleCPU * 100))% of a core over \(Int(idleSeconds)) s (target < 1%)
          \(firing) firing every second, \(lateness.count) fires: lateness at the gateway p50 \(p50) ms, p99 \(p99) ms, max \(worst) ms (target p99 < 20 ms)
          lateness to the first delivery attempt (scheduler's histogram, bucket bounds): p50 ≤ \(Int(own50)) ms, p99 ≤ \(Int(own99)) ms
          CPU while firing: \(String(format: "%.1f", firingCPU * 100))% of a core
        """)
        #expect(lateness.count >= Int(fireSeconds) * firing)
        #expect(idleCPU < 0.01, "idle CPU \(idleCPU * 100)% of a core")
        #expect(p99 < 20, "p99 lateness \(p99) ms")
    }
}

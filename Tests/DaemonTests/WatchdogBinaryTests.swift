import Foundation
import Testing
import TestSupport

/// The systemd watchdog means "this process works": the built daemons feed it from their
/// own loops, so a Redis outage (a readiness matter) does not make systemd kill them.
@Suite(.serialized, .blocking) struct WatchdogBinaryTests {
    @Test(arguments: ["batch-worker", "batch-gateway", "batch-scheduler"])
    func theWatchdogIsFedThroughARedisOutage(_ program: String) async throws {
        let redis = try RedisServer.start()
        defer { redis.stop() }
        let listener = try NotifyListener(abstract: false)
        let config = program == "batch-worker" ? "[job \"noop\"]\nkind = builtin\nbuiltin = noop\n" : "[log]\nlevel = info\n"
        let daemon = try DaemonProcess(program, config: config, redisURL: redis.url, namespace: RedisServer.uniqueNamespace(),
                                       environment: ["NOTIFY_SOCKET": listener.environmentValue, "WATCHDOG_USEC": "2000000"])
        defer { daemon.stop() }
        var seen: [String] = []
        func collect(until condition: ([String]) -> Bool, timeoutMs: Int) -> Bool {
            let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeoutMs) * 1_000_000
            while DispatchTime.now().uptimeNanoseconds < deadline {
                if condition(seen) { return true }
                if let m = listener.receive(timeoutMs: 200) { seen.append(m) }
            }
            return condition(seen)
        }
        #expect(collect(until: { $0.contains { $0.contains("READY=1") } }, timeoutMs: 20_000), "\(seen)\n\(daemon.log)")
        #expect(collect(until: { $0.contains("WATCHDOG=1") }, timeoutMs: 10_000), "\(seen)\n\(daemon.log)")

        redis.stop()
        seen = []
        // Half the timeout apart: three feeds take about three seconds; allow a busy machine ten.
        #expect(collect(until: { $0.filter { $0 == "WATCHDOG=1" }.count >= 3 }, timeoutMs: 10_000),
                "\(program) stopped feeding the watchdog while Redis was down: \(seen)\n\(daemon.log)")
        #expect(daemon.process.isRunning, "\(daemon.log)")
    }
}

import Foundation
import Testing
@testable import Worker

/// Spawn throughput of `/bin/true`, start to outcome. A floor, not a target:
/// the numbers go to the log (`swift test -c release ... --filter ProcessSpawnRate`).
@Suite(.serialized)
struct ProcessSpawnRateTests {
    private func rate(count: Int, concurrency: Int, dieWithParent: Bool, reaper: Bool = false) async -> Double {
        let leaseReaper = reaper ? try? LeaseReaper(executable: WorkerHarness.binary("batch-worker"), warn: { print($0) }) : nil
        #expect(leaseReaper != nil || !reaper, "cannot start the lease reaper")
        let runner = ProcessRunner(dieWithParent: dieWithParent, reaper: leaseReaper)
        var watched = testSpec(["/bin/true"])
        if reaper { watched.leaseDeadline = WorkerClock.monotonicMillis() + 600_000 }
        let spec = watched
        let clock = ContinuousClock()
        let start = clock.now
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    for _ in 0..<(count / concurrency) {
                        let p: RunningProcess
                        do {
                            p = try await runner.start(spec)
                        } catch {
                            Issue.record("spawn of /bin/true failed: \(error)")
                            return
                        }
                        let end = await p.wait()
                        #expect(end.status == .exited(0))
                    }
                }
            }
        }
        let seconds = Double((clock.now - start).components.attoseconds) / 1e18 + Double((clock.now - start).components.seconds)
        return Double(count) / seconds
    }

    /// Every one of many quick spawns, one at a time and eight at once, ends well
    /// (each checked in `rate`); the rate goes to the log. Speed targets live in bench/worker.
    @Test(arguments: [(1, true), (8, true), (1, false), (8, false)])
    func spawnsTrueQuickly(concurrency: Int, dieWithParent: Bool) async {
        let perSecond = await rate(count: 200, concurrency: concurrency, dieWithParent: dieWithParent)
        print("spawn rate /bin/true: concurrency \(concurrency), setpriv \(dieWithParent): \(Int(perSecond))/s")
        #expect(perSecond > 0)
    }

    /// The same with each child's group watched by a lease reaper (two pipe writes per child).
    @Test(arguments: [1, 8])
    func spawnsTrueQuicklyUnderALeaseReaper(concurrency: Int) async {
        let perSecond = await rate(count: 200, concurrency: concurrency, dieWithParent: true, reaper: true)
        print("spawn rate /bin/true: concurrency \(concurrency), setpriv true, lease reaper: \(Int(perSecond))/s")
        #expect(perSecond > 0)
    }
}

import Dispatch
@testable import Redis
import Synchronization
import Testing
import TestSupport

struct BlockingExecutorTests {
    @Test(arguments: [1, 3, 8])
    func jobsSubmittedTogetherAllRunAtOnceUpToTheThreadLimit(_ jobs: Int) {
        let executor = BlockingExecutor(maxThreads: 8, name: "test")
        defer { executor.shutdown() }
        let running = Atomic<Int>(0)
        let release = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        for _ in 0..<jobs {
            executor.submit {
                running.add(1, ordering: .relaxed)
                release.wait()
                finished.signal()
            }
        }
        // Every job blocks until released: all of them must be running at the same time.
        #expect(waitUntil(timeout: .seconds(10)) { running.load(ordering: .relaxed) == jobs })
        for _ in 0..<jobs { release.signal() }
        for _ in 0..<jobs { #expect(finished.wait(timeout: .now() + 10) == .success) }
    }

    @Test func jobsBeyondTheLimitWaitForAFreeThread() {
        let executor = BlockingExecutor(maxThreads: 2, name: "test")
        defer { executor.shutdown() }
        let running = Atomic<Int>(0)
        let release = DispatchSemaphore(value: 0)
        let done = Atomic<Int>(0)
        for _ in 0..<3 {
            executor.submit {
                running.add(1, ordering: .relaxed)
                release.wait()
                done.add(1, ordering: .relaxed)
            }
        }
        #expect(waitUntil(timeout: .seconds(10)) { running.load(ordering: .relaxed) == 2 })
        release.signal()
        // One thread came free and took the third job.
        #expect(waitUntil(timeout: .seconds(10)) { running.load(ordering: .relaxed) == 3 })
        release.signal()
        release.signal()
        #expect(waitUntil(timeout: .seconds(10)) { done.load(ordering: .relaxed) == 3 })
    }
}

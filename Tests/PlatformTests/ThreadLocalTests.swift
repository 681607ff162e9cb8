import Dispatch
import Synchronization
import Testing
@testable import Platform

struct ThreadLocalTests {
    final class Marker {
        let id: Int
        let onDeinit: @Sendable () -> Void
        init(_ id: Int, onDeinit: @escaping @Sendable () -> Void = {}) { self.id = id; self.onDeinit = onDeinit }
        deinit { onDeinit() }
    }

    static let slot = ThreadLocal<Marker>()

    @Test func eachThreadSeesOnlyWhatItStored() {
        // Per thread: what it read before storing, and what it reads back after both stored.
        let seen = Mutex<[Int: [Int]]>([:])
        let stored = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        for i in 1...2 {
            startThread(name: "local-\(i)") {
                let before = Self.slot.value?.id ?? 0
                Self.slot.value = Marker(i)
                stored.signal()
                // Both threads hold a value at once before either reads it back.
                _ = release.wait(timeout: .now() + 30)
                let after = Self.slot.value?.id ?? 0
                seen.withLock { $0[i] = [before, after] }
                done.signal()
            }
        }
        for _ in 1...2 { #expect(stored.wait(timeout: .now() + 30) == .success) }
        release.signal(); release.signal()
        for _ in 1...2 { #expect(done.wait(timeout: .now() + 30) == .success) }
        #expect(seen.withLock { $0 } == [1: [0, 1], 2: [0, 2]])
    }

    @Test func aThreadsValueIsReleasedWhenItEnds() {
        let released = DispatchSemaphore(value: 0)
        startThread(name: "local-end") {
            Self.slot.value = Marker(7) { released.signal() }
        }
        #expect(released.wait(timeout: .now() + 30) == .success)
    }

    @Test func replacingOrClearingReleasesTheOldValue() {
        let released = Mutex<[Int]>([])
        let done = DispatchSemaphore(value: 0)
        startThread(name: "local-swap") {
            Self.slot.value = Marker(1) { released.withLock { $0.append(1) } }
            Self.slot.value = Marker(2) { released.withLock { $0.append(2) } }
            let afterReplace = released.withLock { $0 }
            Self.slot.value = nil
            let afterClear = released.withLock { $0 }
            #expect(afterReplace == [1])
            #expect(afterClear == [1, 2])
            #expect(Self.slot.value == nil)
            done.signal()
        }
        #expect(done.wait(timeout: .now() + 30) == .success)
    }
}

import Daemon
import Glibc
import Testing
import TestSupport

/// The heap a burst freed goes back to the system, and the metric counts it.
@Suite(.blockingExclusively) struct HeapTrimServiceTests {
    @Test func freedHeapPagesGoBackAndAreCounted() {
        let metrics = MetricsRegistry(includeProcessMetrics: false)
        let trim = HeapTrimService(metrics: metrics)
        trim.trimNow()
        // 24 MB in 16 KB blocks (below the allocator's mmap threshold, so they come from its
        // arenas), every other one freed: the holes sit between live blocks, where free() alone
        // never gives memory back.
        let count = 1536, size = 16 << 10
        var blocks: [UnsafeMutableRawPointer] = (0..<count).map { _ in
            let p = malloc(size)!
            memset(p, 0x5a, size)
            return p
        }
        for i in stride(from: 0, to: count, by: 2) { free(blocks[i]) }
        let returned = trim.trimNow()
        for i in stride(from: 1, to: count, by: 2) { free(blocks[i]) }
        blocks.removeAll()
        // 12 MB was freed in whole pages; allow for what other threads allocate meanwhile.
        #expect(returned >= 6 << 20, "returned \(returned) bytes")
        let text = metrics.render()
        let line = text.split(separator: "\n").first { $0.hasPrefix("batch_heap_returned_bytes_total ") }
        let counted = line.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
        #expect(counted >= Double(returned), "\(line ?? "no batch_heap_returned_bytes_total line")")
    }
}

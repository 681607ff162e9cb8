import CSystem
import Dispatch
import FoundationEssentials

/// Gives the heap memory a burst freed back to the system, every `interval`.
///
/// glibc's allocator keeps freed memory for reuse: only the top of the main arena is ever
/// returned by itself, and a daemon with many threads allocates from several arenas. After a
/// burst (a stopped worker makes a gateway hold a few seconds of work, a Redis outage fills
/// the retry paths), a daemon's resident size stayed at its peak for good: a soak saw the
/// gateway step up about 10 MB each time a worker was stopped and never come down. `malloc_trim`
/// returns the free pages of every arena; called every 30 s it costs a few milliseconds and,
/// in steady state, a few page faults when the pages are used again.
///
/// `batch_heap_returned_bytes_total` counts what came back (the drop of the resident size
/// across each call).
public final class HeapTrimService: Service {
    public let name = "heap trim"
    let interval: Duration
    let stopSignal = StopSignal()
    let queue = DispatchQueue(label: "batch.heap-trim")
    let returned: CounterFamily

    public init(metrics: MetricsRegistry, interval: Duration = .seconds(30)) {
        self.interval = interval
        returned = metrics.counter("batch_heap_returned_bytes_total",
                                   help: "Resident memory given back to the system by returning freed heap pages (malloc_trim), every 30 s.")
    }

    /// One trim; returns the bytes the resident size dropped by.
    @discardableResult
    public func trimNow() -> UInt64 {
        let before = ProcessStats.residentBytes()
        _ = batch_malloc_trim()
        let after = ProcessStats.residentBytes()
        let gained = before > after ? before - after : 0
        if gained > 0 { returned.add(Double(gained)) }
        return gained
    }

    public func run() async throws {
        while !(await stopSignal.sleep(for: interval)) {
            // Off the cooperative pool: the call holds each arena's lock while it walks it.
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                queue.async {
                    self.trimNow()
                    c.resume()
                }
            }
        }
    }

    public func stop() async { stopSignal.stop() }
}

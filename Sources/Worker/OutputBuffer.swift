/// Output of one attempt waiting to be written to Redis, and the last lines
/// kept for its result. Bounded: past `maxPending` unwritten lines the oldest
/// are dropped and counted, so a stalled Redis cannot grow the worker's memory.
struct OutputBuffer: Sendable {
    let maxPending: Int
    let tailLines: Int
    private(set) var pending: [String] = []
    private(set) var progress: Int?
    private(set) var progressChanged = false
    private(set) var tail: [String] = []
    /// Lines not written: over the output rate (reported by the runner) or over `maxPending`.
    private(set) var dropped = 0
    private var droppedReported = 0

    init(maxPending: Int = 2_000, tailLines: Int = 20) {
        self.maxPending = max(1, maxPending); self.tailLines = max(0, tailLines)
    }

    mutating func append(_ line: String) {
        if pending.count >= maxPending {
            pending.removeFirst(pending.count - maxPending + 1)
            dropped += 1
        }
        pending.append(line)
        if tailLines > 0 {
            if tail.count >= tailLines { tail.removeFirst(tail.count - tailLines + 1) }
            tail.append(line)
        }
    }

    mutating func setProgress(_ p: Int) {
        progress = p
        progressChanged = true
    }

    mutating func countDropped(_ lines: Int) { dropped += lines }

    var hasWork: Bool { !pending.isEmpty || progressChanged || dropped != droppedReported }

    /// Takes what is to be written now: the lines (with a note of lines
    /// dropped since the last take) and the progress when it changed.
    mutating func take() -> (lines: [String], progress: Int?) {
        var lines = pending
        pending = []
        if dropped != droppedReported {
            lines.append("[batch-worker] \(dropped - droppedReported) output lines dropped (over the output rate or while Redis was slow)")
            droppedReported = dropped
        }
        let p = progressChanged ? progress : nil
        progressChanged = false
        return (lines, p)
    }
}

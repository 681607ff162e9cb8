/// The lease reaper's state: each child's process group and the instant (monotonic
/// milliseconds, `WorkerClock`) past which it must die unless the worker renewed it.
/// Pure: the reaper process feeds it messages and time and performs the kills it returns.
struct ReaperTable: Equatable {
    private(set) var deadlines: [Int32: Int64] = [:]

    /// One line of the worker-to-reaper protocol.
    enum Message: Equatable {
        /// `w PGID DEADLINE`: watch a group, or move its deadline (to any instant: the
        /// worker sends the deadline of its latest renewal).
        case watch(pgid: Int32, deadline: Int64)
        /// `f PGID`: the group's leader is about to be reaped by the worker; never signal it again.
        case forget(pgid: Int32)
    }

    /// Parses one protocol line; nil when it is not one (ignored, never guessed at).
    static func parse(_ line: Substring) -> Message? {
        let f = line.split(separator: " ")
        switch (f.first, f.count) {
        case ("w", 3):
            guard let pgid = Int32(f[1]), pgid > 1, let deadline = Int64(f[2]) else { return nil }
            return .watch(pgid: pgid, deadline: deadline)
        case ("f", 2):
            guard let pgid = Int32(f[1]), pgid > 1 else { return nil }
            return .forget(pgid: pgid)
        default:
            return nil
        }
    }

    /// The protocol line of a message, with its newline.
    static func line(_ m: Message) -> String {
        switch m {
        case .watch(let pgid, let deadline): "w \(pgid) \(deadline)\n"
        case .forget(let pgid): "f \(pgid)\n"
        }
    }

    mutating func apply(_ m: Message) {
        switch m {
        case .watch(let pgid, let deadline): deadlines[pgid] = deadline
        case .forget(let pgid): deadlines[pgid] = nil
        }
    }

    /// The groups whose deadline is at or before `now`, taken out of the table: kill them.
    mutating func due(now: Int64) -> [Int32] {
        let out = deadlines.filter { $0.value <= now }.map(\.key).sorted()
        for pgid in out { deadlines[pgid] = nil }
        return out
    }

    /// The worker is gone (its end of the pipe closed): every group, taken out of the table.
    mutating func takeAll() -> [Int32] {
        defer { deadlines = [:] }
        return deadlines.keys.sorted()
    }

    /// The earliest deadline, if any.
    var nextDeadline: Int64? { deadlines.values.min() }
}

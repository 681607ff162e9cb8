import BatchCore
import Store

/// Which lines of an execution's log are new since the last read. The log is a
/// Redis list trimmed to its newest lines, so its length alone cannot say: the
/// new read is the old one with some lines dropped at the front and new ones
/// added at the end; the smallest such drop is taken.
struct LogCursor: Sendable, Equatable {
    private(set) var seen: [String] = []

    /// Takes the whole list as read now and returns the lines not returned before.
    mutating func advance(to current: [String]) -> [String] {
        defer { seen = current }
        if seen.isEmpty { return current }
        for drop in 0...seen.count {
            let kept = seen[drop...]
            if kept.count <= current.count && current.starts(with: kept) {
                return Array(current.dropFirst(kept.count))
            }
        }
        return current
    }
}

/// `logs --json`: the execution's lines and its state when read.
struct LogsJSON: Encodable {
    var executionId: String
    var state: ExecutionState
    var lines: [String]
}

/// `logs --follow --json`: one per line of output.
struct LogLineJSON: Encodable {
    var executionId: String
    var line: String
}

extension Commands {
    static func logs(_ p: ParsedCommand, _ c: ControlContext) throws(ControlError) {
        let id = p.argument("ID") ?? ""
        let first = try usage { () throws(UsageError) in try p.int(Option.lines, in: 0...100_000) } ?? 100
        let json = p.flag(Option.json)
        let store = try c.executions()
        // Follow from before the first read, so a change between the two is not missed.
        let follower = p.flag(Option.follow) ? try c.store { () throws(StoreError) in try store.follow(from: store.lastEventID()) } : nil
        defer { follower?.close() }
        guard var rec = try c.store({ () throws(StoreError) in try store.get(id) }) else { throw notFound(id) }
        func readAll() throws(ControlError) -> [String] {
            try c.store { () throws(StoreError) in try store.logTail(id, lines: max(store.limits.logLines, 100_000)) }
        }
        func emit(_ lines: [String]) {
            if json { lines.forEach { c.out.json(LogLineJSON(executionId: id, line: $0)) } } else { c.out.lines(lines.map(OutputText.clean)) }
        }
        var cursor = LogCursor()
        let all = try readAll()
        _ = cursor.advance(to: all)
        let shown = first == 0 ? [] : Array(all.suffix(first))
        guard let follower, !rec.state.isTerminal else {
            if json && follower == nil { c.out.json(LogsJSON(executionId: id, state: rec.state, lines: shown)) } else { emit(shown) }
            return
        }
        emit(shown)
        // New lines have no event of their own: read the list when an event of this
        // execution arrives (a progress report, a state change) and at least once a second.
        while true {
            let events = try c.store { () throws(StoreError) in try follower.next(block: .seconds(1)) }
            let ended = events.contains { $0.executionID == id && $0.state?.isTerminal == true }
            emit(cursor.advance(to: try readAll()))
            if ended { return }
            if events.isEmpty, let r = try c.store({ () throws(StoreError) in try store.get(id) }) {
                rec = r
                if rec.state.isTerminal { emit(cursor.advance(to: try readAll())); return }
            }
        }
    }
}

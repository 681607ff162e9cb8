import BatchCore
import Store

extension Commands {
    /// An event as JSON: its fields, plus `streamId` and `time` (ms).
    static func eventJSON(_ e: StreamEvent) -> [String: JSONValue] {
        var o = e.fields.mapValues { JSONValue.string($0) }
        o["streamId"] = .string(e.streamID)
        o["time"] = .number(Double(e.millis))
        return o
    }

    static func events(_ p: ParsedCommand, _ c: ControlContext) throws(ControlError) {
        let limit = try usage { () throws(UsageError) in try p.int(Option.limit, in: 0...10_000) } ?? 20
        let json = p.flag(Option.json)
        let follow = p.flag(Option.follow)
        let store = try c.executions()
        // One read gives both the recent events and where following starts.
        let recent = try c.store { () throws(StoreError) in try store.recentEvents(count: max(limit, 1)) }
        let shown = limit == 0 ? [] : recent
        if json && !follow {
            c.out.json(shown.map(eventJSON))
            return
        }
        func emit(_ events: [StreamEvent]) {
            for e in events {
                if json { c.out.json(eventJSON(e)) } else { c.out.line(EventText.line(e, c)) }
            }
        }
        emit(shown)
        guard follow else { return }
        let follower = try c.store { () throws(StoreError) in try store.follow(from: recent.last?.streamID ?? "0-0") }
        defer { follower.close() }
        while true {
            emit(try c.store { () throws(StoreError) in try follower.next(block: .seconds(5)) })
        }
    }
}

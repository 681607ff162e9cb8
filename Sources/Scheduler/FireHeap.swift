import BatchCore
import Schedule

/// A min-heap of (next fire, schedule): the loop looks at the earliest fire only,
/// never at every schedule. Entries of a schedule whose plan changed are left in
/// place and skipped when popped (their generation no longer matches).
struct FireHeap {
    struct Entry {
        var at: Instant
        var name: String
        var generation: UInt64
    }

    private(set) var entries: [Entry] = []

    var count: Int { entries.count }
    var first: Entry? { entries.first }

    mutating func push(_ e: Entry) {
        entries.append(e)
        var i = entries.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            guard entries[i].at < entries[p].at else { break }
            entries.swapAt(i, p)
            i = p
        }
    }

    mutating func pop() -> Entry? {
        guard !entries.isEmpty else { return nil }
        entries.swapAt(0, entries.count - 1)
        let top = entries.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < entries.count && entries[l].at < entries[m].at { m = l }
            if r < entries.count && entries[r].at < entries[m].at { m = r }
            if m == i { break }
            entries.swapAt(i, m)
            i = m
        }
        return top
    }

    mutating func removeAll() { entries.removeAll(keepingCapacity: true) }
}

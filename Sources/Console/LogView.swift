import Terminal

/// Where the full-screen log view stands in one execution's output: the first line
/// shown (or following the end), wrapping, and a search. A value with no data inside:
/// the lines come with each call, as the open execution's detail holds them now.
public struct LogView: Equatable, Sendable {
    /// The most output lines one read fetches, whatever the store keeps.
    public static let maxLines = 10_000

    /// The execution whose output is shown.
    public let id: String
    /// Opened from the list (Esc goes back there), else from the execution's detail.
    let fromList: Bool
    /// The first line shown, while not following.
    public internal(set) var top = 0
    /// Stays at the end as lines arrive.
    public internal(set) var follow: Bool
    /// Long lines go on over the next rows instead of being cut at the right edge.
    public internal(set) var wrap = false
    /// What is typed after `/`, until Enter or Esc.
    public internal(set) var typing: String?
    /// The search `n` and `N` go to, and whose matches are highlighted; empty: none.
    public internal(set) var query = ""
    /// The line `n` or `N` went to last; moving by other keys forgets it.
    var matchLine: Int?

    init(id: String, fromList: Bool, follow: Bool) {
        self.id = id
        self.fromList = fromList
        self.follow = follow
    }

    /// The rows a line takes at `width` cells.
    func rows(_ line: String, width: Int) -> Int {
        guard wrap, width > 0 else { return 1 }
        return max(1, (TextWidth.width(line) + width - 1) / width)
    }

    /// The first line of the last screenful: where following the end starts.
    func lastTop(_ lines: [String], width: Int, height: Int) -> Int {
        var first = lines.count
        var used = 0
        while first > 0 {
            let r = rows(lines[first - 1], width: width)
            if used + r > max(height, 1) && used > 0 { break }
            used += r
            first -= 1
        }
        return first
    }

    /// The lines shown in `height` rows of `width` cells: from `top`, or the last ones
    /// when following; never past the point where the end would leave rows blank.
    func window(_ lines: [String], width: Int, height: Int) -> Range<Int> {
        let last = lastTop(lines, width: width, height: height)
        let first = follow ? last : min(max(top, 0), last)
        var end = first
        var used = 0
        while end < lines.count {
            let r = rows(lines[end], width: width)
            if used + r > max(height, 1) && used > 0 { break }
            used += r
            end += 1
        }
        return first..<end
    }

    /// Moves the first line shown by `delta` lines (up is negative); leaving the end stops following.
    mutating func scroll(by delta: Int, _ lines: [String], width: Int, height: Int) {
        let shown = window(lines, width: width, height: height)
        top = min(max(shown.lowerBound + delta, 0), lastTop(lines, width: width, height: height))
        matchLine = nil
        if delta < 0 { follow = false }
    }

    mutating func toStart() {
        follow = false
        top = 0
        matchLine = nil
    }

    mutating func toEnd(_ lines: [String], width: Int, height: Int) {
        top = lastTop(lines, width: width, height: height)
        matchLine = nil
    }

    /// Following on jumps to the end; off keeps the lines shown where they are.
    mutating func toggleFollow(_ lines: [String], width: Int, height: Int) {
        top = window(lines, width: width, height: height).lowerBound
        matchLine = nil
        follow.toggle()
    }

    /// Wrapping keeps the first line shown.
    mutating func toggleWrap(_ lines: [String], width: Int, height: Int) {
        top = window(lines, width: width, height: height).lowerBound
        wrap.toggle()
    }

    // MARK: search

    /// Where `query` occurs in `line`, ignoring case.
    static func matches(of query: String, in line: String) -> [Range<String.Index>] {
        guard !query.isEmpty else { return [] }
        var found: [Range<String.Index>] = []
        var from = line.startIndex
        while from < line.endIndex, let r = line.range(of: query, options: .caseInsensitive, range: from..<line.endIndex) {
            found.append(r)
            from = r.isEmpty ? line.index(after: r.lowerBound) : r.upperBound
        }
        return found
    }

    /// The lines with a match of the search.
    func matchingLines(_ lines: [String]) -> [Int] {
        guard !query.isEmpty else { return [] }
        return lines.indices.filter { lines[$0].range(of: query, options: .caseInsensitive) != nil }
    }

    /// Shows the next (or previous) line with a match after (before) the last one gone to,
    /// else the first line shown, going round at the end; false when no line matches.
    mutating func findNext(forward: Bool, including: Bool = false, _ lines: [String], width: Int, height: Int) -> Bool {
        let hits = matchingLines(lines)
        guard !hits.isEmpty else { return false }
        let here = matchLine ?? window(lines, width: width, height: height).lowerBound
        let next = forward ? hits.first { including ? $0 >= here : $0 > here } ?? hits[0]
                           : hits.last { $0 < here } ?? hits[hits.count - 1]
        follow = false
        top = next
        matchLine = next
        return true
    }

    /// Which match the first line shown is, among the lines with one: `(3, 12)`; nil without a search.
    func matchPosition(_ lines: [String], width: Int, height: Int) -> (Int, Int)? {
        let hits = matchingLines(lines)
        guard !query.isEmpty else { return nil }
        let here = matchLine ?? window(lines, width: width, height: height).lowerBound
        return (hits.firstIndex { $0 >= here }.map { $0 + 1 } ?? hits.count, hits.count)
    }
}

/// "Did you mean" suggestions for misspelt keys, options and names.
public enum Suggestion {
    /// Edit distance (insert, delete, substitute, swap of neighbours) between two strings.
    public static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var prev2 = [Int](repeating: 0, count: y.count + 1)
        var prev = Array(0...y.count)
        var cur = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            cur[0] = i
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
                    cur[j] = min(cur[j], prev2[j - 2] + 1)
                }
            }
            (prev2, prev, cur) = (prev, cur, prev2)
        }
        return prev[y.count]
    }

    /// The candidate closest to `word`, if it is close enough to be a plausible typo.
    /// `aliases` maps words people commonly write to the real name (`retries` → `max-attempts`).
    public static func closest(to word: String, in candidates: [String], aliases: [String: String] = [:]) -> String? {
        let lower = word.lowercased()
        if let exact = aliases[lower] { return exact }
        var best: (name: String, d: Int)?
        for c in candidates {
            let d = distance(lower, c.lowercased())
            if best == nil || d < best!.d { best = (c, d) }
        }
        for (alias, target) in aliases {
            let d = distance(lower, alias)
            if best == nil || d < best!.d { best = (target, d) }
        }
        guard let b = best else { return nil }
        let limit = max(1, min(3, word.count / 3))
        return b.d <= limit ? b.name : nil
    }
}

/// A search over executions, written as words (batchctl list's QUERY, batchtop's `/`):
///
///     failed job:etl lost since:1h
///
/// - a state name (`failed`, `timed_out`, ...; `state:failed` too), or `STATE:REASON`
///   (`failed:worker_lost`) for a state and its reason;
/// - `job:NAME`, `worker:ID`, `reason:REASON`;
/// - `since:WHEN`, `until:WHEN`: a duration back from now as the configuration writes
///   it (`1h`, `30m`, `1d`) or an ISO 8601 time with its offset (`2026-12-08T02:00:00Z`);
/// - any other word: text that must appear, ignoring case, in the execution's error,
///   reason, job, worker or id. Double quotes keep a phrase together (`"disk full"`).
///
/// Every word must hold. Pure: the store narrows by its indexes and applies `matches`.
public struct ExecutionQuery: Sendable, Equatable {
    public var state: ExecutionState?
    public var job: String?
    public var worker: String?
    public var reason: String?
    /// Inclusive bounds, ms since the epoch.
    public var since: Int64?
    public var until: Int64?
    /// Lowercased words, each of which must appear.
    public var text: [String]

    public init(state: ExecutionState? = nil, job: String? = nil, worker: String? = nil, reason: String? = nil,
                since: Int64? = nil, until: Int64? = nil, text: [String] = []) {
        self.state = state; self.job = job; self.worker = worker; self.reason = reason
        self.since = since; self.until = until; self.text = text
    }

    /// True when the query selects every execution.
    public var isEmpty: Bool { self == ExecutionQuery() }

    /// What an execution shows the query: the fields it searches.
    public struct Candidate: Sendable {
        public var id: String, job: String, state: ExecutionState
        public var reason: String?, error: String?, worker: String?
        public init(id: String, job: String, state: ExecutionState, reason: String? = nil, error: String? = nil, worker: String? = nil) {
            self.id = id; self.job = job; self.state = state; self.reason = reason; self.error = error; self.worker = worker
        }
    }

    /// True when `c` meets every word but the time range (which the store's index scores hold).
    public func matches(_ c: Candidate) -> Bool {
        if let s = state, s != c.state { return false }
        if let j = job, j != c.job { return false }
        if let w = worker, w != c.worker { return false }
        if let r = reason, r.lowercased() != c.reason?.lowercased() { return false }
        guard !text.isEmpty else { return true }
        let haystack = [c.error, c.reason, c.job, c.worker, c.id].compactMap { $0?.lowercased() }
        return text.allSatisfy { word in haystack.contains { $0.contains(word) } }
    }

    /// True when `ms` is within `since`...`until`.
    public func contains(time ms: Int64) -> Bool {
        (since.map { ms >= $0 } ?? true) && (until.map { ms <= $0 } ?? true)
    }
}

/// A word of a query that means nothing, and why.
public struct ExecutionQueryError: Error, Sendable, Equatable, CustomStringConvertible {
    public var word: String
    public var problem: String
    public var description: String { "\(word): \(problem)" }
}

extension ExecutionQuery {
    /// The words of `text`: split at blanks, double quotes keeping a phrase together.
    public static func words(_ text: String) -> [String] {
        var out: [String] = [], current = "", quoted = false
        for ch in text {
            if ch == "\"" { quoted.toggle(); continue }
            if ch.isWhitespace && !quoted {
                if !current.isEmpty { out.append(current); current = "" }
            } else {
                current.append(ch)
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// Parses the words of `text`; `now` (ms since the epoch) anchors durations.
    public static func parse(_ text: String, now: Int64) throws(ExecutionQueryError) -> ExecutionQuery {
        try parse(words: words(text), now: now)
    }

    /// Parses words already split (a command line's arguments).
    public static func parse(words: [String], now: Int64) throws(ExecutionQueryError) -> ExecutionQuery {
        var q = ExecutionQuery()
        for word in words where !word.isEmpty {
            try q.add(word, now: now)
        }
        if let s = q.since, let u = q.until, s > u {
            throw ExecutionQueryError(word: "since:", problem: "the range ends (until:) before it starts (since:)")
        }
        return q
    }

    /// True for a word that names a field (`job:etl`, `since:1h`, `failed:worker_lost`) rather than text.
    public static func isQualifier(_ word: String) -> Bool {
        isKeyWord(word) || word.firstIndex(of: ":").map { ExecutionState(rawValue: word[..<$0].lowercased()) != nil } == true
    }

    /// True for a word of the form `KEY:VALUE` with a key of its own (`job:`, `worker:`, `reason:`,
    /// `since:`, `until:`, `state:`): words that no text shows (`failed:worker_lost` is how batchtop shows a state).
    public static func isKeyWord(_ word: String) -> Bool {
        word.firstIndex(of: ":").map { ["job", "worker", "reason", "since", "until", "state"].contains(word[..<$0].lowercased()) } == true
    }

    private mutating func add(_ word: String, now: Int64) throws(ExecutionQueryError) {
        guard let colon = word.firstIndex(of: ":") else {
            if let s = ExecutionState(rawValue: word.lowercased()) { try set(\.state, s, word) } else { text.append(word.lowercased()) }
            return
        }
        guard Self.isQualifier(word) else { text.append(word.lowercased()); return }
        let key = word[..<colon].lowercased(), value = String(word[word.index(after: colon)...])
        let state = ExecutionState(rawValue: key)
        guard !value.isEmpty else { throw ExecutionQueryError(word: word, problem: "\(key): needs a value") }
        if let state {
            try set(\.state, state, word); try set(\.reason, value, word)
            return
        }
        switch key {
        case "job": try set(\.job, value, word)
        case "worker": try set(\.worker, value, word)
        case "reason": try set(\.reason, value, word)
        case "state":
            guard let s = ExecutionState(rawValue: value.lowercased()) else {
                throw ExecutionQueryError(word: word, problem: "no state \(value); one of "
                    + ExecutionState.allCases.map(\.rawValue).joined(separator: ", "))
            }
            try set(\.state, s, word)
        default: try set(key == "since" ? \.since : \.until, try Self.time(value, word: word, now: now), word)
        }
    }

    private mutating func set<T: Equatable>(_ kp: WritableKeyPath<ExecutionQuery, T?>, _ value: T, _ word: String) throws(ExecutionQueryError) {
        if let old = self[keyPath: kp], old != value {
            throw ExecutionQueryError(word: word, problem: "a second word of its kind; a query takes one at most")
        }
        self[keyPath: kp] = value
    }

    /// A duration back from `now`, or an ISO 8601 time with its offset.
    static func time(_ value: String, word: String, now: Int64) throws(ExecutionQueryError) -> Int64 {
        if let d = ConfigDuration.parse(value) { return now - d.inMilliseconds }
        if let t = RunLater.instant(value) { return t }
        throw ExecutionQueryError(word: word, problem: "\(value) is neither a duration back from now (30m, 1h, 2d) "
            + "nor an ISO 8601 time with its offset (2026-12-08T02:00:00Z)")
    }
}

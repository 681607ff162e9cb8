import BatchCore
import Store

/// `stats --json`.
struct StatsJSON: Encodable {
    /// Executions per state (every state present).
    var counts: [String: Int]
    /// Ids waiting in the priority queues.
    var queued: Int
    /// Ids waiting for a retry backoff.
    var delayed: Int
    /// Scheduled executions waiting for their time.
    var scheduled: Int
    /// Attempts holding a lease now (dispatched, running or cancelling).
    var running: Int
    /// Leased attempts per job type.
    var runningByJob: [String: Int]
    /// Executions that reached each terminal state in the last 60 s.
    var lastMinute: [String: Int]
    /// succeeded + failed + timed_out in the last 60 s.
    var throughputPerMinute: Int
    /// Job types whose work a claim left queued for want of a rate token in the last 10 s, with their rate.
    var rateLimited: [RateLimitedJob]
    /// Job types whose dispatch an operator paused (`batchctl job pause`).
    var pausedJobs: [PausedJob]
    /// What the configuration read keeps: at most `count` executions, each outcome for its age (seconds).
    var retention: RetentionJSON
    /// Redis time of the reading, ms.
    var now: Int64
}

/// `[retention]` as the configuration batchctl read says (the gateways trim by theirs).
struct RetentionJSON: Encodable {
    var count: Int
    var ageSeconds: [String: Int64]

    init(_ r: RetentionSettings) {
        count = r.count
        ageSeconds = Dictionary(uniqueKeysWithValues: ExecutionState.terminal.map { ($0.rawValue, r.age(of: $0).inMilliseconds / 1000) })
    }

    /// `100000 kept, 7d each`, or each outcome's age when they differ.
    var text: String {
        let ages = ExecutionState.terminal.map { ConfigDuration.format(.seconds(ageSeconds[$0.rawValue] ?? 0)) }
        if Set(ages).count == 1 { return "\(count) kept, \(ages[0]) each" }
        return "\(count) kept; " + zip(ExecutionState.terminal, ages).map { "\($0.rawValue) \($1)" }.joined(separator: ", ")
    }
}

extension Commands {
    static func stats(_ p: ParsedCommand, _ c: ControlContext) throws(ControlError) {
        let store = try c.executions()
        let now = try c.now()
        let counts = try c.store { () throws(StoreError) in try store.counts() }
        let depth = try c.store { () throws(StoreError) in try store.queueDepth() }
        let leased = try c.store { () throws(StoreError) in try store.leaseCount() }
        let byJob = try c.store { () throws(StoreError) in try store.runningByJob() }
        let ended = try c.store { () throws(StoreError) in try store.endedCounts(since: now - 60_000) }
        let limited = try c.store { () throws(StoreError) in try store.rateLimited(since: now - ExecutionStore.rateLimitedFor) }
        let paused = try c.store { () throws(StoreError) in try store.pausedJobs() }
        let finished = (ended[.succeeded] ?? 0) + (ended[.failed] ?? 0) + (ended[.timedOut] ?? 0)
        if p.flag(Option.json) {
            c.out.json(StatsJSON(counts: Dictionary(uniqueKeysWithValues: ExecutionState.allCases.map { ($0.rawValue, counts[$0] ?? 0) }),
                                 queued: depth.queued, delayed: depth.delayed, scheduled: depth.scheduled, running: leased, runningByJob: byJob,
                                 lastMinute: Dictionary(uniqueKeysWithValues: ExecutionState.terminal.map { ($0.rawValue, ended[$0] ?? 0) }),
                                 throughputPerMinute: finished, rateLimited: limited, pausedJobs: paused,
                                 retention: RetentionJSON(c.configuration.retention), now: now))
            return
        }
        var t = TextTable([.init("STATE"), .init("EXECUTIONS", right: true), .init("LAST MINUTE", right: true)])
        for s in ExecutionState.allCases {
            t.add([s.rawValue, String(counts[s] ?? 0), s.isTerminal ? String(ended[s] ?? 0) : ""])
        }
        c.out.lines(t.render { row, col, text in col == 0 && row >= 0 ? c.style.paint(text, Style.role(of: text)) : text })
        c.out.line()
        c.out.line("queue".padding(12) + "\(depth.queued) waiting, \(depth.delayed) waiting for a retry, \(depth.scheduled) scheduled for later")
        let jobs = byJob.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        c.out.line("running".padding(12) + "\(leased)" + (jobs.isEmpty ? "" : " (\(jobs))"))
        c.out.line("throughput".padding(12) + "\(finished)/min (\(ended[.succeeded] ?? 0) succeeded, \(ended[.failed] ?? 0) failed, \(ended[.timedOut] ?? 0) timed out)")
        for l in limited { c.out.line("rate-limited  \(l.job)" + (l.rate.map { " (\($0))" } ?? "")) }
        for j in paused { c.out.line("paused".padding(12) + "\(j.job) (dispatch, by \(j.user) \(RelativeTime.ago(j.at, now: now)))") }
        c.out.line("retention".padding(12) + RetentionJSON(c.configuration.retention).text)
    }
}

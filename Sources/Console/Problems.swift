import BatchCore
import Foundation
import Terminal

extension ConsoleSnapshot {
    /// What the problems line and the sparklines need beyond the rows and meters.
    public struct Health: Sendable, Equatable {
        /// Executions that failed or timed out in the last `Problems.failureWindow`.
        public var recentFailures: Int
        /// The newest of those failures by job type (at most a hundred of each state are read).
        public var recentFailuresByJob: [String: Int]
        /// Whether a scheduler holds the leadership lease; nil when not known.
        public var schedulerLeader: Bool?
        /// When the oldest execution still queued was queued.
        public var oldestQueued: Date?
        /// Ends per minute over the last hour, oldest first (all terminal states).
        public var endsPerMinute: [Int]
        /// Failures (failed, timed out) per minute over the last hour, oldest first.
        public var failuresPerMinute: [Int]

        public init(recentFailures: Int = 0, recentFailuresByJob: [String: Int] = [:], schedulerLeader: Bool? = nil,
                    oldestQueued: Date? = nil, endsPerMinute: [Int] = [], failuresPerMinute: [Int] = []) {
            self.recentFailures = recentFailures; self.recentFailuresByJob = recentFailuresByJob
            self.schedulerLeader = schedulerLeader; self.oldestQueued = oldestQueued
            self.endsPerMinute = endsPerMinute; self.failuresPerMinute = failuresPerMinute
        }
    }
}

/// What is wrong now, worst first, as the header's problems line names it. Pure: made
/// from a snapshot, drawn without a clock.
public struct Problems: Sendable, Equatable {
    /// Failures are counted over this window.
    public static let failureWindow = TimeInterval(LiveMeters.successWindowMillis / 1000)
    /// A queue whose oldest execution waited longer than this is a problem.
    public static let queueAgeLimit: TimeInterval = 60

    /// Each problem as the line shows it, worst first.
    public var items: [String]

    public init(_ snap: ConsoleSnapshot) {
        let h = snap.health
        var items: [String] = []
        if h.recentFailures > 0 {
            let jobs = h.recentFailuresByJob.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
                .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            items.append("\(h.recentFailures) failed/10m" + (jobs.isEmpty ? "" : " (\(jobs))"))
        }
        let lost = snap.workers.filter(\.lost)
        if !lost.isEmpty { items.append(lost.count == 1 ? "worker \(lost[0].id) lost" : "\(lost.count) workers lost") }
        for w in snap.workers where !w.lost {
            guard let b = w.worstBreaker, b.state == "open" || b.state == "forced_open" else { continue }
            items.append("breaker \(b.state == "open" ? "open" : "forced open") \(w.id)")
        }
        if h.schedulerLeader == false, !snap.schedules.isEmpty { items.append("no scheduler leader") }
        for s in snap.schedules where !s.paused {
            guard let o = s.lastOutcome, o == "missed" || o.hasPrefix("failed") else { continue }
            items.append("schedule \(s.name) \(o)")
        }
        if let q = h.oldestQueued, snap.takenAt.timeIntervalSince(q) > Self.queueAgeLimit {
            items.append("oldest queued \(Format.duration(snap.takenAt.timeIntervalSince(q)))")
        }
        self.items = items
    }

    public var isEmpty: Bool { items.isEmpty }

    /// `PROBLEMS  a · b · c +2 more` in at most `width` cells (the label included), or `no problems`.
    public func line(width: Int) -> String {
        guard !items.isEmpty else { return "no problems" }
        let label = "PROBLEMS  "
        for shown in stride(from: items.count, through: 1, by: -1) {
            let more = shown < items.count ? " +\(items.count - shown) more" : ""
            let text = label + items.prefix(shown).joined(separator: " · ") + more
            if TextWidth.width(text) <= width { return text }
        }
        return TextWidth.truncate(label + items[0], to: width - 8) + " +\(items.count - 1) more"
    }

    /// Executions by state, asynqmon style, only those there are: `queued 12 running 3 failed 40`.
    public static func counts(_ byState: [ExecutionState: Int]) -> String {
        ExecutionState.allCases.compactMap { s in byState[s].flatMap { $0 > 0 ? "\(s.rawValue) \($0)" : nil } }
            .joined(separator: " ")
    }

    /// `▁▂▃▄▅▆▇█` for `values` in `width` cells: neighbouring values are summed to fit, and a
    /// zero stays a space, so an idle minute reads as nothing.
    public static func sparkline(_ values: [Int], width: Int) -> String {
        guard width > 0, !values.isEmpty else { return "" }
        let per = (values.count + width - 1) / width
        let buckets = stride(from: 0, to: values.count, by: per).map { values[$0..<min($0 + per, values.count)].reduce(0, +) }
        let top = max(buckets.max() ?? 0, 1)
        let bars = Array("▁▂▃▄▅▆▇█")
        return String(buckets.map { $0 == 0 ? " " : bars[min(7, ($0 * 8 - 1) / top)] })
    }
}

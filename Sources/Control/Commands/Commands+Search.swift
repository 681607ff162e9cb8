import BatchCore
import Store

/// `list QUERY` and `retry`/`cancel --filter QUERY`: searches through the Store
/// (`ExecutionQuery`, `ExecutionStore.search`), every page walked.
extension Commands {
    /// The query of `words` (each split again, so one quoted argument may hold many words),
    /// with list's `--state` and `--job` folded in.
    static func query(_ p: ParsedCommand, _ words: [String], _ c: ControlContext,
                      state: ExecutionState? = nil, job: String? = nil) throws(ControlError) -> ExecutionQuery {
        let now = try c.now()
        var q: ExecutionQuery
        do { q = try ExecutionQuery.parse(words: words.flatMap(ExecutionQuery.words), now: now) } catch {
            throw usageError(p, "query word \(error)")
        }
        if let state {
            if let s = q.state, s != state { throw usageError(p, "--state \(state.rawValue) and the query's \(s.rawValue) differ") }
            q.state = state
        }
        if let job {
            if let j = q.job, j != job { throw usageError(p, "--job \(job) and the query's job:\(j) differ") }
            q.job = job
        }
        return q
    }

    /// The newest `count` matches, every page walked until there are that many or the index ends.
    static func search(_ q: ExecutionQuery, count: Int, _ c: ControlContext) throws(ControlError) -> SearchPage {
        let store = try c.executions()
        var all = SearchPage()
        repeat {
            let page = try c.store { () throws(StoreError) in
                try store.search(q, limit: min(1_000, count - all.executions.count), before: all.next)
            }
            all.executions += page.executions; all.examined += page.examined; all.total = page.total; all.next = page.next
        } while all.next != nil && all.executions.count < count
        return all
    }

    /// `list QUERY`: the page, then how many were shown and examined.
    static func listMatches(_ p: ParsedCommand, _ c: ControlContext, state: ExecutionState?, limit: Int) throws(ControlError) {
        let words = p.argumentValues("QUERY")
        let q = try query(p, words, c, state: state, job: p.value(Option.job))
        let found = try search(q, count: limit, c)
        if p.flag(Option.json) {
            c.out.json(ListJSON(executions: found.executions, next: found.next, examined: found.examined, total: found.total))
            return
        }
        if found.executions.isEmpty { c.out.line("no executions match '\(OutputText.clean(words.joined(separator: " ")))'") }
        try printExecutions(found.executions, c)
        c.out.line(c.style.paint("\(found.executions.count) shown, \(found.examined) examined of \(found.total)"
            + (found.next == nil ? "" : "; more with --limit"), .dim))
    }

    /// What `retry` and `cancel` act on: their ids, or every match of `--filter` (nil after
    /// `--dry-run`, which printed them). More than `--max` matches is refused.
    static func targets(_ p: ParsedCommand, _ c: ControlContext) throws(ControlError) -> [String]? {
        let ids = p.argumentValues("ID")
        guard let text = p.value(Option.filter) else {
            guard !ids.isEmpty else { throw usageError(p, "missing argument ID (or --filter QUERY)") }
            guard !p.flag(Option.filterDryRun) else { throw usageError(p, "--dry-run goes with --filter") }
            return ids
        }
        guard ids.isEmpty else { throw usageError(p, "give execution ids or --filter, not both") }
        let max = try usage { () throws(UsageError) in try p.int(Option.maxMatches, in: 1...100_000) } ?? 1_000
        let found = try search(try query(p, [text], c), count: max + 1, c).executions
        guard found.count <= max else {
            throw .failed("more than \(max) executions match '\(OutputText.clean(text))': narrow the query, or raise --max")
        }
        guard p.flag(Option.filterDryRun) else { return found.map(\.id) }
        if p.flag(Option.json) {
            c.out.json(found.map { ActionResult(executionId: $0.id, state: $0.state) })
        } else {
            for r in found { c.out.line("\(r.id)  \(OutputText.clean(r.job))  \(c.style.paint(r.state.rawValue, Style.role(of: r.state.rawValue)))") }
            c.out.line("\(found.count) executions match; dry run, nothing sent")
        }
        return nil
    }
}

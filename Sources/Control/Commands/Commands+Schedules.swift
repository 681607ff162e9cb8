import BatchCore
import FleetAPI
import Foundation
import Schedule
import Store

/// `schedules --json`: one per schedule known to Redis or to the configuration batchctl read.
struct ScheduleJSON: Encodable {
    var name: String
    var job: String
    /// `cron 0 0 2 * * *`, `fixed-rate 1000ms`, `fixed-delay 30000ms`.
    var trigger: String
    var zone: String
    var nextFire: String?
    var nextFireMs: Int64?
    var lastFire: String?
    var lastFireMs: Int64?
    var lastExecution: String?
    var lastOutcome: String?
    /// Paused by the configuration or by an operator.
    var paused: Bool
    /// Paused by an operator (`batchctl schedule pause`).
    var pausedByOperator: Bool
    /// Whether a scheduler has published its status (false: known from the configuration only).
    var published: Bool
}

/// `schedule next --json`.
struct NextFiresJSON: Encodable {
    var expression: String
    var zone: String
    var fires: [String]
}

extension Commands {
    static func triggerText(_ d: ScheduleDefinition) -> String {
        switch d.trigger {
        case .cron(let e): return "cron \(e)"
        case .fixedRate(let r): return "fixed-rate \(r.inMilliseconds)ms"
        case .fixedDelay(let r): return "fixed-delay \(r.inMilliseconds)ms"
        }
    }

    static func scheduleRows(_ c: ControlContext) throws(ControlError) -> [ScheduleJSON] {
        let s = try c.schedules()
        let statuses = try c.store { () throws(StoreError) in try s.statuses() }
        let paused = try c.store { () throws(StoreError) in try s.paused() }
        let config = c.configuration.schedules
        var rows: [ScheduleJSON] = []
        for name in Set(statuses.keys).union(config.keys).sorted() {
            let st = statuses[name].flatMap(ScheduleStatus.init(json:))
            let def = config[name]
            rows.append(ScheduleJSON(
                name: name, job: st?.job ?? def?.job ?? "?", trigger: st?.trigger ?? def.map(triggerText) ?? "?",
                zone: st?.zone ?? def?.zone ?? "?", nextFire: st?.nextFire, nextFireMs: st?.nextFireMs,
                lastFire: st?.lastFire, lastFireMs: st?.lastFireMs, lastExecution: st?.lastExecution,
                lastOutcome: st?.lastOutcome,
                paused: paused.contains(name) || st?.paused == true || (st == nil && def?.paused == true),
                pausedByOperator: paused.contains(name), published: st != nil))
        }
        return rows
    }

    static func schedules(_ p: ParsedCommand, _ c: ControlContext) throws(ControlError) {
        let rows = try scheduleRows(c)
        if p.flag(Option.json) { c.out.json(rows); return }
        if rows.isEmpty { c.out.line("no schedules in namespace \(c.namespace) or in the configuration"); return }
        let now = try c.now()
        var t = TextTable([.init("NAME", flexible: true, minWidth: 10), .init("JOB", flexible: true), .init("TRIGGER", flexible: true, minWidth: 10),
                           .init("NEXT", right: true), .init("LAST", right: true), .init("OUTCOME", flexible: true), .init("PAUSED")])
        for r in rows {
            t.add([r.name, r.job, r.trigger, r.nextFireMs.map { RelativeTime.ago($0, now: now) } ?? "-",
                   r.lastFireMs.map { RelativeTime.ago($0, now: now) } ?? "-", r.lastOutcome ?? "-",
                   r.paused ? (r.pausedByOperator ? "operator" : "config") : "no"])
        }
        c.out.lines(t.render { row, col, text in row >= 0 && (col == 5 || col == 6 && text != "no") ? c.style.paint(text, col == 6 ? .warn : Style.role(of: text)) : text })
    }

    static func knownSchedule(_ name: String, _ c: ControlContext) throws(ControlError) {
        let names = try scheduleRows(c).map(\.name)
        guard names.contains(name) else {
            let hint = Suggestion.closest(to: name, in: names).map { " (did you mean \($0)?)" } ?? ""
            throw .failed("no schedule \(name) in namespace \(c.namespace) or in the configuration\(hint); see 'batchctl schedules'")
        }
    }

    static func pause(_ p: ParsedCommand, _ c: ControlContext, _ paused: Bool) throws(ControlError) {
        let name = p.argument("NAME") ?? ""
        try knownSchedule(name, c)
        let s = try c.schedules()
        try c.store { () throws(StoreError) in try s.setPaused(name, paused, user: c.user, source: "batchctl") }
        c.out.line("schedule \(name) \(paused ? "paused" : "resumed") for every scheduler")
    }

    /// The definition of the schedule the command names (`NAME`), from the configuration read:
    /// the scheduler's parameters, which Redis does not hold.
    static func configuredSchedule(_ p: ParsedCommand, _ c: ControlContext) throws(ControlError) -> ScheduleDefinition {
        let name = p.argument("NAME") ?? ""
        try knownSchedule(name, c)
        do { return try .configured(name, in: c.configuration.schedules, files: c.configuration.files, program: "batchctl") } catch {
            throw .failed(error.description)
        }
    }

    static func triggerSchedule(_ p: ParsedCommand, _ c: ControlContext) throws(ControlError) {
        let def = try configuredSchedule(p, c)
        let name = def.name
        let now = Instant(millisecondsSinceEpoch: try c.now())
        let request: BatchExecutionRequest
        do { request = try def.requestNow(at: now, source: "batchctl", user: c.user) } catch { throw .config("schedule \(name): \(error)") }
        let r = try c.gateway().call(try GatewayAPI.execute(request))
        printAccepted(r, c, json: p.flag(Option.json))
    }

    static func next(_ p: ParsedCommand, _ c: ControlContext) throws(ControlError) {
        let expr = p.argument("EXPR") ?? ""
        let count = try usage { () throws(UsageError) in try p.int(Option.count, in: 1...1_000) } ?? 5
        let zone: ZoneRules
        let cron: CronExpression
        let start: Instant
        do {
            zone = try p.value(Option.zone).map { z throws(CronError) in try ZoneRules.named(z) } ?? c.times.zone
            cron = try CronExpression(parsing: expr)
            start = try p.value(Option.from).map { t throws(CronError) in try Instant(iso8601: t, zone: zone) }
                ?? Instant(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000))
        } catch {
            throw usageError(p, error.description)
        }
        let fires = cron.nextFires(after: start, in: zone, count: count).map { $0.iso8601(in: zone) }
        if p.flag(Option.json) { c.out.json(NextFiresJSON(expression: expr, zone: zone.identifier, fires: fires)); return }
        if fires.isEmpty { c.out.line("\(expr) does not fire again after \(start.iso8601(in: zone))"); return }
        c.out.lines(fires)
    }
}

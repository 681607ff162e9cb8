import BatchCore
import Foundation
import Resilience
import Store

/// `workers --json`: one per live worker.
struct WorkerJSON: Encodable {
    var id: String
    var host: String
    var address: String
    var pid: Int
    var version: String?
    var slots: Int?
    var running: Int?
    var draining: Bool
    /// Redis time of its last heartbeat, ms.
    var heartbeat: Int64
    var jobs: [String]
}

/// `breakers --json`: one per (gateway, worker).
struct BreakerJSON: Encodable {
    var gateway: String
    var worker: String
    var state: String
    /// Percent; -1 while the window holds fewer than the minimum calls.
    var failureRate: Double
    var slowCallRate: Double
    var calls: Int
    var failedCalls: Int
    var slowCalls: Int
    var notPermittedCalls: Int
    /// Unix ms.
    var openedAt: Int64?
    var nextProbeAt: Int64?
}

struct BreakersJSON: Encodable {
    var breakers: [BreakerJSON]
    /// Operator overrides: worker id → forced_open, closed@<ms>, reset@<ms>.
    var overrides: [String: String]
}

extension Commands {
    static func liveDaemons(_ c: ControlContext) throws(ControlError) -> (now: Int64, daemons: [DaemonInfo]) {
        let f = try c.fleet()
        return try c.store { () throws(StoreError) in try f.live(within: .seconds(5)) }
    }

    static func workers(_ p: ParsedCommand, _ c: ControlContext) throws(ControlError) {
        let f = try c.fleet()
        let (now, daemons) = try liveDaemons(c)
        let workers = daemons.filter { $0.role == "worker" }.sorted { $0.id < $1.id }
        let jobs = try c.store { () throws(StoreError) in try f.jobs(of: workers.map(\.id)) }
        let rows = workers.map { w in
            WorkerJSON(id: w.id, host: w.host, address: w.address, pid: w.pid, version: w[.version],
                       slots: w[.slots].flatMap { Int($0) }, running: w[.running].flatMap { Int($0) },
                       draining: w[.draining] == "1", heartbeat: w.heartbeat, jobs: (jobs[w.id] ?? [:]).keys.sorted())
        }
        if p.flag(Option.json) { c.out.json(rows); return }
        if rows.isEmpty { c.out.line("no live workers in namespace \(c.namespace)"); return }
        var t = TextTable([.init("WORKER"), .init("ADDRESS", flexible: true, minWidth: 12),
                           .init("LOAD", right: true), .init("SEEN", right: true), .init("JOBS", flexible: true)])
        for w in rows {
            let load = "\(w.running.map(String.init) ?? "?")/\(w.slots.map(String.init) ?? "?")" + (w.draining ? " draining" : "")
            t.add([w.id, w.address, load, RelativeTime.ago(w.heartbeat, now: now), w.jobs.joined(separator: ",")])
        }
        c.out.lines(t.render())
    }

    static func breakerRows(_ c: ControlContext) throws(ControlError) -> BreakersJSON {
        let f = try c.fleet()
        let gateways = try liveDaemons(c).daemons.filter { $0.role == "gateway" }.map(\.id)
        let published = try c.store { () throws(StoreError) in try f.breakers(gateways: gateways) }
        let overrides = try c.store { () throws(StoreError) in try f.breakerOverrides() }
        var rows: [BreakerJSON] = []
        let decoder = JSONDecoder()
        for (g, workers) in published {
            for (w, json) in workers {
                guard let m = try? decoder.decode(BreakerMetrics.self, from: Data(json.utf8)) else { continue }
                rows.append(BreakerJSON(gateway: g, worker: w, state: m.state.rawValue, failureRate: m.failureRate,
                                        slowCallRate: m.slowCallRate, calls: m.calls, failedCalls: m.failedCalls,
                                        slowCalls: m.slowCalls, notPermittedCalls: m.notPermittedCalls,
                                        openedAt: m.openedAt, nextProbeAt: m.nextProbeAt))
            }
        }
        rows.sort { ($0.worker, $0.gateway) < ($1.worker, $1.gateway) }
        return BreakersJSON(breakers: rows, overrides: overrides)
    }

    static func breakers(_ p: ParsedCommand, _ c: ControlContext) throws(ControlError) {
        let all = try breakerRows(c)
        if p.flag(Option.json) { c.out.json(all); return }
        if all.breakers.isEmpty && all.overrides.isEmpty { c.out.line("no breakers published by a live gateway in namespace \(c.namespace)"); return }
        func rate(_ r: Double) -> String { r < 0 ? "-" : String(format: "%.0f%%", r) }
        var t = TextTable([.init("WORKER", flexible: true, minWidth: 12), .init("GATEWAY", flexible: true, minWidth: 12),
                           .init("STATE"), .init("FAIL", right: true), .init("SLOW", right: true), .init("CALLS", right: true),
                           .init("OVERRIDE")])
        for b in all.breakers {
            t.add([b.worker, b.gateway, b.state, rate(b.failureRate), rate(b.slowCallRate), String(b.calls),
                   all.overrides[b.worker].map { $0.split(separator: "@").first.map(String.init) ?? $0 } ?? "-"])
        }
        for (w, v) in all.overrides.sorted(by: { $0.key < $1.key }) where !all.breakers.contains(where: { $0.worker == w }) {
            t.add([w, "-", "-", "-", "-", "-", v.split(separator: "@").first.map(String.init) ?? v])
        }
        c.out.lines(t.render { row, col, text in col == 2 && row >= 0 ? c.style.paint(text, Style.role(of: text)) : text })
    }

    static func overrideBreaker(_ p: ParsedCommand, _ c: ControlContext, _ o: BreakerOverride) throws(ControlError) {
        let worker = p.argument("WORKER") ?? ""
        let f = try c.fleet()
        let live = try liveDaemons(c).daemons.filter { $0.role == "worker" }.map(\.id)
        let rows = try breakerRows(c)
        let known = Set(live).union(rows.breakers.map(\.worker)).union(rows.overrides.keys)
        guard known.contains(worker) else {
            let hint = Suggestion.closest(to: worker, in: Array(known)).map { " (did you mean \($0)?)" } ?? ""
            throw .failed("no worker \(worker) is live or has a breaker in namespace \(c.namespace)\(hint); see 'batchctl workers'")
        }
        let now = try c.now()
        try c.store { () throws(StoreError) in try f.setBreakerOverride(worker: worker, o.value(now: now), user: c.user, source: "batchctl") }
        c.out.line("breakers of \(worker) \(o.done) in every gateway (each applies it within about a second)")
    }
}

import BatchCore
import FleetAPI
import Foundation
import Schedule
import Store

/// One tick of a backfill and what became of it (`schedule backfill --json`).
struct BackfillTick: Encodable {
    /// The tick, ISO 8601 in the schedule's zone.
    var tick: String
    /// `fired` (now, by this backfill), `would-fire` (dry run), `already-fired` (by a scheduler or an
    /// earlier backfill: `executionId` or `outcome` says what it became), `duplicate` (the gateway
    /// answered an execution made earlier: the fire's idempotency key, or the active holder of a
    /// unique job type's values), `in-flight` (another process claimed it and has not delivered
    /// it yet), `refused` (the gateway said why in `detail`).
    var result: String
    var executionId: String?
    var outcome: String?
    var detail: String?
}

extension Commands {
    /// `schedule backfill NAME --from T1 [--to T2] [--dry-run] [--max N]`: one execution per tick the
    /// schedule's cron would have fired in [T1, T2], each sent as the scheduler sends a fire (the
    /// fire's idempotency key, bound to the request in Redis before it goes to a gateway). A tick
    /// whose fire key exists already fired (or is being fired) and is left alone, so running a
    /// backfill twice, or racing a live fire of the same tick, makes one execution per tick.
    static func backfill(_ p: ParsedCommand, _ c: ControlContext) throws(ControlError) {
        let def = try configuredSchedule(p, c)
        let name = def.name
        guard let expression = def.cron else {
            throw .failed("schedule \(name) is \(def.triggerText): only a cron schedule has ticks of its own to backfill")
        }
        guard let fromText = p.value(Option.backfillFrom) else { throw usageError(p, "give --from TIME, the first tick to consider") }
        let max = try usage { () throws(UsageError) in try p.int(Option.max, in: 1...100_000) } ?? 100
        let zone: ZoneRules, cron: CronExpression, from: Instant, to: Instant
        let now = Instant(millisecondsSinceEpoch: try c.now())
        do {
            zone = try ZoneRules.named(def.zone)
            cron = try CronExpression(parsing: expression)
            from = try Instant(iso8601: fromText, zone: zone)
            to = try p.value(Option.to).map { t throws(CronError) in try Instant(iso8601: t, zone: zone) } ?? now
        } catch {
            throw usageError(p, error.description)
        }
        guard to <= now else { throw usageError(p, "--to \(to.iso8601(in: zone)) is in the future: the scheduler fires what is ahead") }
        guard from <= to else { throw usageError(p, "--from is after --to") }
        let ticks = cron.nextFires(after: from.adding(milliseconds: -1), in: zone, count: max + 1).filter { $0 <= to }
        guard ticks.count <= max else {
            throw .failed("schedule \(name) ticks more than \(max) times from \(from.iso8601(in: zone)) to \(to.iso8601(in: zone)); "
                          + "give --max N to send more, or a shorter range")
        }
        let requests = ticks.map { def.fireRequest(at: $0, zone: zone) }
        let schedules = try c.schedules()
        let owner = "batchctl-\(c.user)"
        let keys = ticks.map { (schedule: name, epochMillis: $0.millisecondsSinceEpoch) }
        let values = try c.store { () throws(StoreError) in try schedules.fireValues(keys) }
        var out = zip(ticks, values).map { tick, value in BackfillTick(tick: tick.iso8601(in: zone), result: "", outcome: value) }
        // To send: ticks never claimed, and ticks this backfill claimed and bound before and did
        // not finish (the same request: its idempotency key makes sending it again safe).
        var send: [Int] = []
        for (i, value) in values.enumerated() {
            switch value {
            case nil: send.append(i)
            case let v? where v == "claimed:\(owner):\(requests[i].fingerprint)": send.append(i)
            case let v? where v.hasPrefix("claimed:"): out[i].result = "in-flight"
            case let v?: out[i].result = "already-fired"; if ExecutionID.isValid(v) { out[i].executionId = v; out[i].outcome = nil }
            }
        }
        if p.flag(Option.dryRun) {
            for i in send { out[i].result = "would-fire"; out[i].outcome = nil }
            return printBackfill(out, c, json: p.flag(Option.json), dryRun: true)
        }
        let fresh = send.filter { values[$0] == nil }
        let ttl = Int(c.configuration.scheduler.fireKeyTTL.inMilliseconds / 1000)
        let won = try c.store { () throws(StoreError) in try schedules.claimFires(fresh.map { keys[$0] }, owner: "claimed:" + owner, ttlSeconds: ttl) }
        // A tick claimed meanwhile (a live fire, another backfill) is theirs.
        let taken = Set(zip(fresh, won).filter { !$0.1 }.map(\.0))
        for i in taken { out[i].result = "in-flight"; out[i].outcome = nil }
        send.removeAll(where: taken.contains)
        for i in send {
            let bound = try c.store { () throws(StoreError) in
                try schedules.bindFire(schedule: name, epochMillis: keys[i].epochMillis, owner: owner, fingerprint: requests[i].fingerprint)
            }
            if !bound { throw .failed("the fire key of \(out[i].tick) vanished before it was sent; run the backfill again") }
        }
        let gateway = try c.gateway()
        var records: [(schedule: String, epochMillis: Int64, value: String)] = []
        try gateway.executeInBatches(send.map { requests[$0] }) { n, result in
            let i = send[n]
            out[i].outcome = nil
            if let id = result.executionId {
                out[i].result = result.duplicate == true ? "duplicate" : "fired"
                out[i].executionId = id
                records.append((name, keys[i].epochMillis, id))
            } else {
                out[i].result = "refused"
                out[i].detail = "\(result.status): \(result.detail ?? result.title ?? "")"
                records.append((name, keys[i].epochMillis, "failed:" + (result.detail ?? "refused")))
            }
        }
        try c.store { () throws(StoreError) in try schedules.recordFires(records, ttlSeconds: ttl) }
        printBackfill(out, c, json: p.flag(Option.json), dryRun: false)
        let refused = out.filter { $0.result == "refused" }.count
        if refused > 0 { throw .failed("\(refused) of \(out.count) ticks were refused") }
    }

    static func printBackfill(_ ticks: [BackfillTick], _ c: ControlContext, json: Bool, dryRun: Bool) {
        if json { c.out.json(ticks); return }
        for t in ticks {
            let what = t.executionId ?? t.detail ?? t.outcome ?? ""
            c.out.line(t.tick + "  " + t.result.padding(14) + (what.isEmpty ? "" : "  " + OutputText.clean(what)))
        }
        let count = { (r: String) in ticks.filter { $0.result == r }.count }
        if dryRun {
            c.out.line("\(count("would-fire")) would fire, \(count("already-fired")) already fired, \(count("in-flight")) in flight")
        } else {
            c.out.line("\(count("fired")) fired, \(count("already-fired")) already fired, \(count("duplicate")) duplicate, "
                       + "\(count("in-flight")) in flight, \(count("refused")) refused")
        }
    }
}

import BatchCore
import Foundation
import Schedule

/// Taking, holding and losing the leadership lease, and what the leader takes over.
extension SchedulerLoop {
    func leadership(_ s: inout LoopState) {
        let ttl = settings.leaderTTLMs
        let m = Self.mono()
        s.nextLeadCheck = m + UInt64(ttl / 3) * 1_000_000
        let answer: (leader: Bool, holder: String)
        do { answer = try schedules.lead(id: settings.id, ttlMillis: Int(ttl)) } catch {
            logger.repeated(.warning, "cannot renew or take the scheduler lease", ["error": "\(error)"])
            s.nextLeadCheck = m + 500_000_000
            return
        }
        if answer.leader {
            let lapsed = m >= s.leaseValidUntil
            s.leaseValidUntil = m + UInt64(ttl - ttl / 10) * 1_000_000
            if !s.leader || lapsed {
                s.leader = true
                leading.store(true, ordering: .relaxed)
                metrics.leader.set(1)
                logger.notice("leading the schedulers", ["schedules": "\(s.planner.states.count)"])
                takeOver(&s)
            }
        } else if s.leader {
            s.leader = false
            leading.store(false, ordering: .relaxed)
            metrics.leader.set(0)
            logger.warning("lost the scheduler lease", ["leader": answer.holder])
        }
    }

    /// On taking the lead: adopt the published statuses, claim fires missed since
    /// them (or find ones claimed but never delivered), and plan from now.
    private func takeOver(_ s: inout LoopState) {
        let now = clock.now()
        var published: [String: ScheduleStatus] = [:]
        do {
            for (name, json) in try schedules.statuses() {
                if let st = ScheduleStatus(json: json) { published[name] = st }
            }
            let stale = published.keys.filter { s.planner.states[$0] == nil }
            try schedules.remove(names: stale)
        } catch {
            logger.warning("cannot read the published schedule statuses; planning from now", ["error": "\(error)"])
        }
        var candidates: [Fire] = []
        for name in s.planner.names.sorted() {
            let since = s.planner.adopt(published[name], name: name)
            if s.planner.states[name]?.isFixedDelay == true {
                // No grid: the plan itself fires an overdue one now. Only a fire claimed
                // and never delivered is taken over.
                if let status = published[name], status.fingerprint == s.planner.states[name]?.schedule.fingerprint,
                   let p = status.pendingSinceMs {
                    candidates.append(Fire(name: name, at: Instant(millisecondsSinceEpoch: p)))
                }
                continue
            }
            guard let since else { continue }
            candidates += s.planner.missedFires(name: name, since: since, now: now).map { Fire(name: name, at: $0) }
        }
        s.planner.replanAll(after: now)
        s.plannedThrough = now
        refreshStates(&s)
        if !candidates.isEmpty {
            var recovered: [String: [Instant]] = [:]
            let owner = "claimed:" + settings.id
            for chunk in stride(from: 0, to: candidates.count, by: 500).map({ Array(candidates[$0..<min($0 + 500, candidates.count)]) }) {
                do {
                    let won = try schedules.claimFires(chunk.map { ($0.name, $0.at.millisecondsSinceEpoch) }, owner: owner,
                                                       ttlSeconds: settings.fireKeyTTLSeconds)
                    let lost = zip(chunk, won).filter { !$0.1 }.map(\.0)
                    let values = try schedules.fireValues(lost.map { ($0.name, $0.at.millisecondsSinceEpoch) })
                    for (fire, w) in zip(chunk, won) where w { recovered[fire.name, default: []].append(fire.at) }
                    // Claimed by a scheduler that then died or lost the lead before delivering.
                    for (fire, v) in zip(lost, values) where v?.hasPrefix("claimed:") == true {
                        recovered[fire.name, default: []].append(fire.at)
                    }
                } catch {
                    logger.error("cannot claim missed fires on taking the lead", ["error": "\(error)"])
                }
            }
            for (name, fires) in recovered { s.planner.addRecovered(fires, name: name, now: now) }
            let n = recovered.values.reduce(0) { $0 + $1.count }
            if n > 0 { logger.notice("recovered missed or undelivered fires", ["fires": "\(n)"]) }
        }
        s.planner.markAllDirty()
        publish(&s, all: true)
    }

    func refreshGateways(_ s: inout LoopState) {
        s.nextGatewayRefresh = Self.mono() + 2_000_000_000
        if !settings.gateways.isEmpty { delivery.setGateways(settings.gateways); return }
        do {
            let live = try fleet.live().daemons.filter { $0.role == "gateway" && !$0.address.isEmpty }
            delivery.setGateways(live.sorted { $0.id < $1.id }.map(\.address))
        } catch {
            logger.warning("cannot list live gateways", ["error": "\(error)"])
        }
    }
}

import BatchCore
import Foundation
import Schedule

/// A `[schedule]` section ready to plan: its definition, the engine's plan and a
/// fingerprint of everything that decides when and what it fires.
public struct CompiledSchedule: Sendable {
    public let definition: ScheduleDefinition
    public let plan: SchedulePlan
    /// Equal fingerprints: the same fires; a reload keeps such a schedule's state.
    public let fingerprint: String

    public var name: String { definition.name }

    public init(_ definition: ScheduleDefinition, plan: SchedulePlan) {
        self.definition = definition
        self.plan = plan
        self.fingerprint = Self.fingerprint(of: definition)
    }

    /// Compiles every schedule of a configuration. Zones are loaded once each:
    /// ten thousand schedules in a handful of zones read a handful of files.
    public static func compile(_ definitions: [String: ScheduleDefinition]) throws(SchedulerError) -> [CompiledSchedule] {
        var zones: [String: ZoneRules] = [:]
        var out: [CompiledSchedule] = []
        out.reserveCapacity(definitions.count)
        for (name, d) in definitions.sorted(by: { $0.key < $1.key }) {
            do {
                guard let zone = zones[d.zone] else {
                    let plan = try SchedulePlan(definition: d)
                    zones[d.zone] = plan.zone
                    out.append(CompiledSchedule(d, plan: plan))
                    continue
                }
                let trigger: ScheduleTrigger
                switch d.trigger {
                case .cron(let text): trigger = .cron(try CronExpression(parsing: text))
                // Checked by SchedulePlan(definition:) and the configuration: positive.
                case .fixedRate: trigger = .fixedRate(milliseconds: max(1, d.fixedRateMs ?? 1))
                case .fixedDelay: trigger = .fixedDelay(milliseconds: max(1, d.fixedDelayMs ?? 1))
                }
                out.append(CompiledSchedule(d, plan: SchedulePlan(trigger: trigger, initialDelayMilliseconds: max(0, d.initialDelayMs),
                                                                  zone: zone)))
            } catch {
                throw .schedule(name: name, reason: error.description)
            }
        }
        return out
    }

    /// FNV-1a of the definition's stable JSON, without what does not change the
    /// fires (pause flag, description).
    static func fingerprint(of definition: ScheduleDefinition) -> String {
        var d = definition
        d.paused = false
        d.description = nil
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes = (try? encoder.encode(d)) ?? Data(d.name.utf8)
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

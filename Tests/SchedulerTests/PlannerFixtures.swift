import BatchCore
import Schedule
@testable import Scheduler

/// Builds schedules and instants for planner tests; time is whatever the test says.
enum PlannerFixtures {
    static let t0 = Instant(secondsSinceEpoch: 1_767_225_600)  // 2026-01-01T00:00:00Z

    static func at(_ seconds: Double) -> Instant { t0.adding(milliseconds: Int64(seconds * 1000)) }

    static func schedule(_ name: String = "s", trigger: ScheduleTriggerText = .fixedRate(.seconds(1)),
                         misfire: MisfirePolicy = .fireOnce, grace: Duration = .seconds(60),
                         overlap: OverlapPolicy = .allow, paused: Bool = false,
                         params: [String: String] = [:]) throws -> CompiledSchedule {
        let d = ScheduleDefinition(name: name, job: "report", trigger: trigger, params: params, misfire: misfire,
                                   misfireGrace: grace, overlap: overlap, paused: paused)
        return CompiledSchedule(d, plan: try SchedulePlan(definition: d))
    }

    /// A planner with `schedules` loaded at `t0` (fixed-rate grids start at t0).
    static func planner(_ schedules: CompiledSchedule...) -> FirePlanner {
        var p = FirePlanner()
        p.load(schedules, now: t0, plannedThrough: t0)
        return p
    }
}

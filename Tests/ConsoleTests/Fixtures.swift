import BatchCore
import Console
import Foundation

/// A fleet at one fixed instant, with every kind of row, for rendering and key tests.
enum Fixtures {
    static let t0 = Date(timeIntervalSince1970: 1_764_072_000)  // 2025-11-25 12:00:00 UTC
    static let utc = TimeZone(identifier: "UTC")!

    static func id(_ n: Int) -> String {
        "01KAXS7M00" + String(repeating: "0", count: 14 - String(n).count) + String(n) + "ZZ"
    }

    static let jobs: [JobTypeInfo] = [
        JobTypeInfo(name: "sleep", params: [ParamInfo(name: "seconds", defaultValue: "1", typeHint: "int 0..3600")]),
        JobTypeInfo(name: "report", params: [
            ParamInfo(name: "date", required: true, typeHint: "pattern ^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
            ParamInfo(name: "format", defaultValue: "pdf", typeHint: "enum pdf|csv"),
        ], unique: ["date"]),
        JobTypeInfo(name: "noop", params: []),
    ]

    static func executions(_ count: Int) -> [ExecutionRow] {
        let states: [ExecutionState] = [.running, .succeeded, .failed, .queued, .cancelled, .timedOut, .retrying, .dispatched]
        return (0..<count).map { i in
            let s = states[i % states.count]
            let created = t0.addingTimeInterval(Double(-i * 7))
            let started: Date? = s == .queued ? nil : created.addingTimeInterval(1)
            let finished: Date? = s.isTerminal ? created.addingTimeInterval(4.5) : nil
            return ExecutionRow(id: id(i), job: ["report", "sleep", "noop"][i % 3], state: s,
                                reason: s == .failed ? "exit_code" : nil, attempt: 1 + i % 2, maxAttempts: 3,
                                worker: s == .queued ? nil : "worker-a-2019\(i % 2)", progress: s == .running ? 40 : nil,
                                created: created, started: started, finished: finished)
        }
    }

    static func snapshot(executions count: Int = 30) -> ConsoleSnapshot {
        ConsoleSnapshot(
            takenAt: t0,
            meters: .init(workersUp: 2, workersKnown: 3, queueDepth: 12, running: 3, slots: 8,
                          throughputPerSecond: 1.25, successRate: 0.975, p95RunSeconds: 62,
                          countsByState: [.retrying: 1, .failed: 4]),
            executions: executions(count),
            workers: [
                WorkerRow(id: "worker-a-20190", host: "host-a", address: "127.0.0.1:20190", slots: 4, running: 2,
                          jobTypes: ["report", "sleep"],
                          breakers: [BreakerRow(gateway: "gw-1", state: "closed", failureRate: 0, calls: 40),
                                     BreakerRow(gateway: "gw-2", state: "open", failureRate: 0.62, slowRate: 0.05, calls: 13)],
                          lastHeartbeat: t0.addingTimeInterval(-1)),
                WorkerRow(id: "worker-b-20191", host: "host-b", address: "127.0.0.1:20191", slots: 4, running: 1,
                          jobTypes: ["noop"], lastHeartbeat: t0.addingTimeInterval(-30)),
            ],
            schedules: [
                ScheduleRow(name: "nightly-report", job: "report", expression: "0 0 2 * * *",
                            nextFire: t0.addingTimeInterval(3600 * 14), lastFire: t0.addingTimeInterval(-3600 * 10),
                            lastExecution: id(3), lastOutcome: "succeeded"),
                ScheduleRow(name: "tick", job: "noop", expression: "fixed-rate 30000ms", nextFire: t0.addingTimeInterval(12),
                            lastOutcome: "skipped:overlap", paused: true),
            ],
            events: [
                EventRow(time: t0.addingTimeInterval(-3), type: "schedule-pause", id: "failer", text: "user=ops",
                         key: "1764071997000-0"),
                EventRow(time: t0.addingTimeInterval(-2), type: "succeed", id: id(1), text: "worker-a-20191 exit 0",
                         execution: id(1), key: "1764071998000-0"),
                EventRow(time: t0.addingTimeInterval(-1), type: "fail", id: id(2), text: "exit_code 3",
                         execution: id(2), key: "1764071999000-0"),
                EventRow(time: t0, type: "dispatch", id: id(0), text: "to worker-a-20190",
                         execution: id(0), key: "1764072000000-0"),
            ])
    }

    static func detail(_ n: Int, outputLines: Int = 40) -> ExecutionDetail {
        let row = executions(n + 1)[n]
        return ExecutionDetail(row: row, params: ["date": "2025-11-25", "format": "pdf"],
                               attempts: [.init(number: 1, worker: "worker-a-20191", started: t0.addingTimeInterval(-60),
                                                finished: t0.addingTimeInterval(-50), outcome: "failed exit_code 3"),
                                          .init(number: 2, worker: "worker-a-20190", started: t0.addingTimeInterval(-10))],
                               outputTail: (1...outputLines).map { "line \($0) of output" },
                               trigger: "batchtop", exitCode: nil)
    }
}

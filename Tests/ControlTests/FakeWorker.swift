import BatchCore
import FleetAPI
import Foundation
import HTTP
import Redis
import Store
import Synchronization
import TestSupport

/// A stand-in for batch-worker that speaks its protocol (DESIGN.md §6): it registers
/// and heartbeats in Redis, accepts dispatches with 202, and runs each "job" on a
/// queue of its own through the store's worker-side scripts: `noop` prints two lines
/// and succeeds, `fail` prints a line and fails with exit code `code`, `slow` prints
/// `lines` lines 150 ms apart and succeeds.
final class FakeWorker: Sendable {
    static let configText = """
    [job "noop"]
    kind = builtin
    builtin = noop
    [job "fail"]
    kind = builtin
    builtin = fail
    param.code = int 1..255, default 3
    [job "slow"]
    kind = builtin
    builtin = sleep
    param.lines = int 1..100, default 5
    [job "report"]
    command = /bin/echo {date}
    param.date = required, pattern ^[0-9]{4}-[0-9]{2}-[0-9]{2}$
    """

    let id: String
    let server: HTTPServer
    let store: ExecutionStore
    let fleet: FleetRegistry
    private let stopped = Atomic<Bool>(false)
    private let runner = DispatchQueue(label: "fake-worker.jobs", attributes: .concurrent)

    init(redis: RedisClient, namespace: String) throws {
        id = "worker-fake-\(getpid())-\(UInt16.random(in: 0...UInt16.max))"
        store = ExecutionStore(redis: redis, namespace: namespace)
        fleet = FleetRegistry(redis: redis, namespace: namespace)
        let router = Router()
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.eventLoops = 1
        configuration.handlerThreads = 2
        server = HTTPServer(configuration: configuration, router: router)
        let (store, id, runner) = (store, id, runner)
        router.add(WorkerAPI.dispatch) { req in
            let job = req.pathParameters["jobType"] ?? ""
            let d = try req.decodeJSON(WorkerDispatchRequest.self)
            runner.async { Self.run(job: job, d, worker: id, store: store) }
            return .json(BatchResult(executionId: d.executionId, attempt: d.attempt, status: "running"), status: 202)
        }
        // What a gateway sends: many dispatches in one call (it has no single-dispatch fallback).
        router.add(WorkerAPI.dispatchBatch) { req in
            let batch = try req.decodeJSON(WorkerDispatchBatch.self)
            for item in batch.dispatches {
                let (job, d) = (item.jobType, item.request)
                runner.async { Self.run(job: job, d, worker: id, store: store) }
            }
            return .json(WorkerDispatchBatchResponse(results: batch.dispatches.map {
                WorkerDispatchAnswer(executionId: $0.executionId, status: 202, state: "running")
            }))
        }
        router.add(WorkerAPI.cancel) { _ in .json(["ok": true], status: 202) }
        try server.start()
        let jobs = try Configuration.parse(text: Self.configText).jobs
        let encoder = JSONEncoder()
        try fleet.registerJobs(worker: id, jobs: jobs.mapValues { String(decoding: try! encoder.encode($0), as: UTF8.self) })
        try beat()
        let thread = Thread { [self] in
            while !stopped.load(ordering: .acquiring) {
                try? beat()
                try? fleet.touchJobs(worker: self.id)
                usleep(300_000)
            }
        }
        thread.start()
    }

    var address: String { "http://127.0.0.1:\(server.boundPort)" }

    private func beat() throws {
        try fleet.heartbeat(id: id, fields: ["role": "worker", "address": address, "host": "localhost",
                                             "pid": String(getpid()), "slots": "4", "running": "0", "version": "test"])
    }

    func stop() {
        stopped.store(true, ordering: .releasing)
        server.shutdown(deadline: .seconds(2))
        try? fleet.deregister(id: id)
    }

    private static func run(job: String, _ d: WorkerDispatchRequest, worker: String, store: ExecutionStore) {
        let (id, attempt) = (d.executionId, d.attempt)
        do {
            _ = try store.start(id: id, attempt: attempt, worker: worker, leaseMillis: d.leaseMs)
            switch job {
            case "fail":
                try store.report(id: id, attempt: attempt, lines: ["about to fail"])
                let code = Int(d.params["code"] ?? "") ?? 3
                try store.finish(id: id, attempt: attempt, worker: worker,
                                 end: AttemptEnd(outcome: .failed, reason: .exitCode, exitCode: code))
            case "slow":
                for i in 1...(Int(d.params["lines"] ?? "") ?? 5) {
                    try store.report(id: id, attempt: attempt, progress: i, lines: ["line \(i)"])
                    usleep(150_000)
                }
                try store.finish(id: id, attempt: attempt, worker: worker, end: AttemptEnd(outcome: .succeeded, exitCode: 0))
            default:
                try store.report(id: id, attempt: attempt, lines: ["hello from \(job)", "params \(d.params.sorted { $0.key < $1.key })"])
                try store.finish(id: id, attempt: attempt, worker: worker, end: AttemptEnd(outcome: .succeeded, exitCode: 0))
            }
        } catch {
            FileHandle.standardError.write(Data("fake worker: \(id): \(error)\n".utf8))
        }
    }
}

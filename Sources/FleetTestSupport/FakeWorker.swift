import BatchCore
import FleetAPI
import Foundation
import HTTP
import Redis
import Store
import Synchronization
import TestSupport

/// A worker stand-in inside the test process: registers like a worker, and
/// answers dispatches as told — runs them (start, then finish), fails with
/// 500, refuses with 429, or hangs — on `POST /api/batch` (many at once) and on
/// `POST /api/batch/{jobType}`; with `batchEndpoint: false`, on the single one only
/// (a worker the gateway must refuse to dispatch to).
public final class FakeWorker: Sendable {
    public enum Mode: Sendable { case run, fail500, full, hang }

    public let id: String
    public let server: HTTPServer
    public let store: ExecutionStore
    public let fleet: FleetRegistry
    public let mode: Mutex<Mode>
    public let slots: Int
    public let received = Mutex<[String]>([])
    public let cancels = Mutex<[String]>([])
    public let running = Atomic<Int>(0)
    public let stopped = Atomic<Bool>(false)
    /// Attempts running here, to detect two at once.
    public let active = Mutex<Set<String>>([])
    public let overlaps = Atomic<Int>(0)
    public let runFor: Duration
    /// How long a dispatch waits before its late 500 in `.hang` mode.
    public let hangFor: Duration
    /// Dispatch calls received, one per `POST /api/batch` (however many it carries) or `POST /api/batch/{jobType}`.
    public let calls = Atomic<Int>(0)

    public init(id: String, redis: RedisClient, namespace: String, mode: Mode = .run, slots: Int = 64, runFor: Duration = .zero,
                hangFor: Duration = .seconds(30), jobs: [JobType] = [JobType(name: "noop", kind: .builtin, builtin: .noop)],
                batchEndpoint: Bool = true) throws {
        self.id = id
        self.mode = Mutex(mode)
        self.slots = slots
        self.runFor = runFor
        self.hangFor = hangFor
        store = ExecutionStore(redis: redis, namespace: namespace)
        fleet = FleetRegistry(redis: redis, namespace: namespace)
        let router = Router()
        server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0), router: router)
        router.add(WorkerAPI.dispatch) { [self] req in
            calls.add(1, ordering: .relaxed)
            return try dispatch(req.decodeJSON(WorkerDispatchRequest.self))
        }
        if batchEndpoint {
            router.add(WorkerAPI.dispatchBatch) { [self] req in
                let batch = try req.decodeJSON(WorkerDispatchBatch.self)
                calls.add(1, ordering: .relaxed)
                switch self.mode.withLock({ $0 }) {
                case .fail500:
                    received.withLock { $0.append(contentsOf: batch.dispatches.map(\.executionId)) }
                    return .problem(status: 500, detail: "broken on purpose")
                case .hang:
                    Thread.sleep(forTimeInterval: hangFor.inSeconds)
                    return .problem(status: 500, title: "late", detail: "late")
                case .run, .full: break
                }
                let results = batch.dispatches.map { item -> WorkerDispatchAnswer in
                    let r = dispatch(item.request)
                    return WorkerDispatchAnswer(executionId: item.executionId, status: r.status,
                                                state: r.status == 202 ? "running" : nil,
                                                detail: r.status == 202 ? nil : String(decoding: r.body, as: UTF8.self))
                }
                return .json(WorkerDispatchBatchResponse(results: results))
            }
        }
        router.add(WorkerAPI.cancel) { [self] req in
            cancels.withLock { $0.append(req.pathParameters["id"] ?? "") }
            return .json(["ok": true], status: 202)
        }
        try server.start()
        let encoded = Dictionary(uniqueKeysWithValues: jobs.map { ($0.name, String(decoding: try! JSONEncoder().encode($0), as: UTF8.self)) })
        try fleet.registerJobs(worker: id, jobs: encoded)
        try beat()
        let t = Thread { [self] in
            while !stopped.load(ordering: .acquiring) {
                try? beat()
                Thread.sleep(forTimeInterval: 0.3)
            }
        }
        t.start()
    }

    public func beat() throws {
        try fleet.heartbeat(id: id, fields: ["role": "worker", "address": "http://127.0.0.1:\(server.boundPort)",
                                             "slots": String(slots), "running": String(running.load(ordering: .relaxed))])
        try fleet.touchJobs(worker: id)
    }

    func dispatch(_ d: WorkerDispatchRequest) -> HTTPResponse {
        received.withLock { $0.append(d.executionId) }
        switch mode.withLock({ $0 }) {
        case .fail500: return .problem(status: 500, detail: "broken on purpose")
        case .full: return .problem(status: 429, detail: "full")
        case .hang:
            Thread.sleep(forTimeInterval: hangFor.inSeconds)
            return .problem(status: 500, title: "late", detail: "late")
        case .run:
            if running.load(ordering: .relaxed) >= slots {
                return .problem(status: 429, detail: "all \(slots) slots are busy")
            }
        }
        do {
            _ = try store.start(id: d.executionId, attempt: d.attempt, worker: id, leaseMillis: d.leaseMs)
        } catch {
            return .problem(status: 409, detail: "\(error)")
        }
        let key = "\(d.executionId)#\(d.attempt)"
        let exec = d.executionId
        let wasActive = active.withLock { s -> Bool in
            let overlap = s.contains { $0.hasPrefix(exec + "#") }
            s.insert(key)
            return overlap
        }
        if wasActive { overlaps.add(1, ordering: .relaxed) }
        running.add(1, ordering: .relaxed)
        let runFor = self.runFor
        DispatchQueue.global().async { [self] in
            if runFor > .zero { Thread.sleep(forTimeInterval: runFor.inSeconds) }
            active.withLock { _ = $0.remove(key) }
            running.subtract(1, ordering: .relaxed)
            _ = try? store.finish(id: d.executionId, attempt: d.attempt, worker: id, end: AttemptEnd(outcome: .succeeded, exitCode: 0))
        }
        return .json(BatchResult(executionId: d.executionId, attempt: d.attempt, status: "running"), status: 202)
    }

    public var receivedCount: Int { received.withLock { $0.count } }
    public var callCount: Int { calls.load(ordering: .relaxed) }

    public func stop() {
        stopped.store(true, ordering: .releasing)
        server.shutdown(deadline: .seconds(2))
        try? fleet.deregister(id: id)
    }
}

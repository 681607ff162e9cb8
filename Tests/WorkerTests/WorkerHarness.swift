import BatchCore
import Foundation
import Glibc
import HTTP
import Redis
import Store
import TestSupport

/// A real `batch-worker` process on a free port, against a real Redis, with
/// the job types given as configuration text; and the gateway's side of the
/// protocol (create, claim, dispatch) to drive it.
final class WorkerHarness: Sendable {
    let redisServer: RedisServer
    let namespace: String
    let directory: String
    let port: Int
    let workerID: String
    let process: ChildProcess
    let redis: RedisClient
    let store: ExecutionStore
    let fleet: FleetRegistry
    let http = HTTPClient(connectTimeout: .seconds(2), requestTimeout: .seconds(10))

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// - Parameters:
    ///   - jobs: `[job "..."]` sections.
    ///   - worker: extra lines of the `[worker]` section.
    ///   - redisLines: extra lines of the `[redis]` section.
    init(jobs: String, worker: String = "", redisLines: String = "", server: RedisServer? = nil,
         label: String = #function) throws {
        redisServer = try server ?? RedisServer.shared
        namespace = RedisServer.uniqueNamespace(label)
        directory = try makeTemporaryDirectory("batch-worker-test")
        port = freeTCPPort()
        workerID = "worker-test-\(port)"
        let config = """
            [redis]
            url = \(redisServer.url)
            namespace = \(namespace)
            \(redisLines)

            [worker]
            listen = 127.0.0.1:\(port)
            id = \(workerID)
            kill-grace = 500ms
            drain-timeout = 1s
            output-flush = 50ms
            lease-renew = 200ms
            \(worker)

            \(jobs)
            """
        let path = directory + "/batch.conf"
        try config.write(toFile: path, atomically: true, encoding: .utf8)
        process = try ChildProcess(executable: Self.binary("batch-worker"), arguments: ["--config", path],
                                   stdout: .file(directory + "/stdout.log"), stderr: .file(directory + "/stderr.log"))
        redis = try RedisClient(url: redisServer.url)
        store = ExecutionStore(redis: redis, namespace: namespace)
        fleet = FleetRegistry(redis: redis, namespace: namespace)
        let client = http
        // Ready, not only listening: /health answers while the worker still hands back what an
        // earlier run of its id held (and answers dispatches 429 meanwhile); /readyz waits for
        // that and for its job types to be registered.
        let url = "http://127.0.0.1:\(port)/readyz"
        var lastError = ""
        let up = waitUntil(timeout: .seconds(20)) {
            do { return try client.get(url).status == 200 } catch { lastError = "\(error)"; return false }
        }
        if !up {
            _ = process.kill()
            throw TestSupportError("batch-worker (\(process.executable)) was not ready (/readyz) within 20 s (\(lastError)): \(String(describing: process.wait(timeout: .seconds(1)))); stderr:\n\(stderrText)")
        }
    }

    var stderrText: String { (try? String(contentsOfFile: directory + "/stderr.log", encoding: .utf8)) ?? "" }

    /// A built program of this package, next to the test bundle.
    static func binary(_ name: String) -> String {
        let bundleDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
        for dir in [bundleDir, URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                        .deletingLastPathComponent().path + "/.build/debug"] {
            let p = dir + "/" + name
            if access(p, X_OK) == 0 { return p }
        }
        return name
    }

    /// Creates an execution and claims it as a gateway would.
    func seed(job: String, params: [String: String] = [:], timeoutSeconds: Int = 60, maxAttempts: Int = 1,
              leaseMs: Int = 10_000) throws -> ClaimedExecution {
        _ = try store.create(NewExecution(job: job, params: params, maxAttempts: maxAttempts, timeoutSeconds: timeoutSeconds),
                             queueLimit: 1_000_000)
        guard let c = try store.claim(allowed: [job: 0], leaseMillis: leaseMs, gateway: "gateway-test") else {
            throw TestSupportError("nothing to claim for job \(job)")
        }
        return c
    }

    /// POSTs the dispatch of a claimed execution.
    func dispatch(_ c: ClaimedExecution, params: [String: String]? = nil, leaseMs: Int = 10_000,
                  job: String? = nil) throws -> HTTPClientResponse {
        let body = WorkerDispatchRequest(executionId: c.id, attempt: c.attempt, params: params ?? c.params,
                                         timeoutSeconds: c.timeoutSeconds, leaseMs: leaseMs)
        return try http.post("\(baseURL)/api/batch/\(job ?? c.job)", json: body)
    }

    /// Seeds, dispatches and expects 202.
    func run(job: String, params: [String: String] = [:], timeoutSeconds: Int = 60, leaseMs: Int = 10_000) throws -> (ClaimedExecution, BatchResult) {
        let c = try seed(job: job, params: params, timeoutSeconds: timeoutSeconds, leaseMs: leaseMs)
        let r = try dispatch(c, leaseMs: leaseMs)
        guard r.status == 202 else { throw TestSupportError("dispatch of \(job) answered \(r.status): \(r.text)") }
        return (c, try JSONDecoder().decode(BatchResult.self, from: Data(r.body)))
    }

    /// The execution once its state is one of `states`, or nil after `timeout`.
    func waitForState(_ id: String, _ states: Set<ExecutionState>, timeout: Duration = .seconds(15)) -> ExecutionRecord? {
        var record: ExecutionRecord?
        _ = waitUntil(timeout: timeout) {
            record = try? store.get(id)
            return record.map { states.contains($0.state) } ?? false
        }
        return record.flatMap { states.contains($0.state) ? $0 : nil }
    }

    func waitForTerminal(_ id: String, timeout: Duration = .seconds(15)) -> ExecutionRecord? {
        waitForState(id, [.succeeded, .failed, .timedOut, .cancelled], timeout: timeout)
    }

    /// The first output line that is a number: the pid a test job printed.
    func printedPID(_ id: String, timeout: Duration = .seconds(10)) -> pid_t? {
        var pid: pid_t?
        _ = waitUntil(timeout: timeout) {
            pid = (try? store.logTail(id, lines: 10))?.compactMap { pid_t($0) }.first
            return pid != nil
        }
        return pid
    }

    func stop() {
        _ = process.terminate(grace: .seconds(10))
        redis.close()
        removeTree(directory)
    }
}


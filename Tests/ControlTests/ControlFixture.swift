import BatchCore
import Foundation
import Redis
import Store
import Synchronization
import TestSupport

/// The package's root.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// A built program of this package, beside the test bundle (or in BATCH_BUILD_DIR); fails
/// clearly when `swift build` has not made it.
func builtProgram(_ name: String) throws -> String {
    try BuiltProducts.path(name)
}

/// What one run of `batchctl` did.
struct Run: CustomStringConvertible {
    var status: Int32
    var out: String
    var err: String
    var description: String { "exit \(status)\nstdout: \(out)\nstderr: \(err)" }

    func json<T: Decodable>(_ type: T.Type) throws -> T { try JSONDecoder().decode(T.self, from: Data(out.utf8)) }
    var jsonObject: Any? { try? JSONSerialization.jsonObject(with: Data(out.utf8)) }
}

/// Runs the built `batchctl` with `arguments` and waits for it (30 s at most).
func batchctl(_ arguments: [String], environment extra: [String: String] = [:]) throws -> Run {
    var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("BATCH_") && $0.key != "NO_COLOR" }
    env["USER"] = "tester"
    env["TZ"] = "UTC"
    for (k, v) in extra { env[k] = v }
    // Output to files: complete once the child has exited, with no reader thread to race.
    let dir = try makeTemporaryDirectory("batchctl-run")
    defer { removeTree(dir) }
    let child = try ChildProcess(executable: try builtProgram("batchctl"), arguments: arguments, environment: env,
                                 stdout: .file(dir + "/out"), stderr: .file(dir + "/err"))
    let end = child.wait(timeout: .seconds(30))
    let out = (try? String(contentsOfFile: dir + "/out", encoding: .utf8)) ?? ""
    let err = (try? String(contentsOfFile: dir + "/err", encoding: .utf8)) ?? ""
    guard let end else {
        child.kill()
        throw TestSupportError("batchctl \(arguments.joined(separator: " ")) did not end in 30 s; stdout: \(out) stderr: \(err)")
    }
    guard case .exited(let status) = end else { throw TestSupportError("batchctl was \(end)") }
    return Run(status: status, out: out, err: err)
}

/// A namespace of the shared test Redis with a running batch-gateway and a fake
/// worker, and a configuration file that names them, for `batchctl --config`.
final class ControlFleet: Sendable {
    let redis: RedisClient
    let namespace: String
    let directory: String
    let configPath: String
    let gateway: ChildProcess
    let gatewayPort: Int
    let worker: FakeWorker

    /// One fleet for the whole test process: starting daemons is the slow part.
    static var shared: ControlFleet {
        get throws {
            try sharedFleet.withLock { slot in
                if let f = slot { return f }
                let f = try ControlFleet()
                slot = f
                // A static is never deinitialised: stop the gateway when the test process exits.
                atexit { sharedFleet.withLock { $0?.stop() } }
                return f
            }
        }
    }

    init(extraConfig: String = "") throws {
        let server = try RedisServer.shared
        redis = try RedisClient(url: server.url)
        namespace = RedisServer.uniqueNamespace("batchctl")
        directory = try makeTemporaryDirectory("batchctl-test")
        gatewayPort = freeTCPPort()
        configPath = directory + "/batch.conf"
        let config = """
        [redis]
        url = \(server.url)
        namespace = \(namespace)
        [gateway]
        listen = 127.0.0.1:\(gatewayPort)
        [schedule "nightly"]
        job = report
        cron = 0 0 2 * * *
        zone = Asia/Seoul
        param.date = {fire-date}
        [schedule "hourly-noop"]
        job = noop
        cron = @hourly
        \(FakeWorker.configText)
        \(extraConfig)
        """
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        worker = try FakeWorker(redis: redis, namespace: namespace)
        gateway = try ChildProcess(executable: try builtProgram("batch-gateway"), arguments: ["--config", configPath],
                                   stdout: .file(directory + "/gateway.log"), stderr: .file(directory + "/gateway.log"))
        let fleet = FleetRegistry(redis: redis, namespace: namespace)
        let up = waitUntil(timeout: .seconds(20)) {
            ((try? fleet.live().daemons) ?? []).contains { $0.role == "gateway" }
        }
        guard up else { throw TestSupportError("batch-gateway did not register in 20 s; see \(directory)/gateway.log") }
    }

    /// `batchctl --config <this fleet's file> arguments...`
    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        try batchctl(["--config", configPath] + arguments, environment: environment)
    }

    /// Triggers `job` until the gateway knows the fake worker's job types (it refreshes
    /// its directory on its own schedule); returns the execution id.
    func trigger(_ job: String, _ params: [String] = [], wait: Bool = false, extra: [String] = []) throws -> (id: String, run: Run) {
        var last: Run?
        let ok = try waitUntil(timeout: .seconds(15), poll: .milliseconds(200)) {
            let r = try run(["trigger", job] + params.flatMap { ["--param", $0] } + (wait ? ["--wait"] : []) + extra)
            last = r
            return r.status != 69
        }
        guard ok, let r = last else { throw TestSupportError("the gateway never accepted \(job): \(last.map { "\($0)" } ?? "")") }
        return (String(r.out.split(separator: "\n").first ?? ""), r)
    }

    func stop() {
        gateway.terminate(grace: .seconds(3))
        worker.stop()
        removeTree(directory)
    }

    deinit { stop() }

    var gatewayLog: String { (try? String(contentsOfFile: directory + "/gateway.log", encoding: .utf8)) ?? "" }
}

private let sharedFleet = Mutex<ControlFleet?>(nil)

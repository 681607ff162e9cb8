import BatchCore
import Foundation
import Glibc
import HTTP
import Redis
import Store
import TestSupport

/// A whole deployment for one test: the shared Redis (a namespace of its own), built
/// `batch-gateway`s and `batch-worker`s started with one configuration, and a job program
/// (`track.sh`) that records the start and end of every attempt it runs in `attempts.log`.
final class Cluster: Sendable {
    let redis: RedisClient
    let namespace: String
    let store: ExecutionStore
    let fleet: FleetRegistry
    /// Holds the job program, its FIFO and the attempt log.
    let directory: String
    let config: String
    let redisURL: String
    let gateways: [DaemonProcess]
    let workers: [DaemonProcess]
    let client = HTTPClient(connectTimeout: .seconds(2), requestTimeout: .seconds(30))

    static let leaseSeconds = 3

    /// libfaketime (Debian's faketime package, which scripts/deps.sh installs).
    static let faketime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"

    /// Starts `gateways` gateways (ids `g1`, ...) and `workers` workers (ids `w1`, ...) with
    /// `slots` each, and waits until every gateway can dispatch to every worker.
    /// `lease` (seconds) is the gateways' lease, nil for the default; `server` a Redis of the test's
    /// own (one it may stop).
    /// `clockOffsets` runs the gateways it names by id (`g2`: `+20s`) with their wall clock that far
    /// off, through libfaketime (workers are not offered: the library hides `argv` from Swift, and a
    /// worker starts its lease reaper with an argument).
    init(gateways gatewayCount: Int = 1, workers workerCount: Int, slots: Int = 64, extra: String = "",
         lease: Int? = Cluster.leaseSeconds, server: RedisServer? = nil, clockOffsets: [String: String] = [:],
         label: String = #function) throws {
        let server = try server ?? RedisServer.shared
        redisURL = server.url
        redis = try RedisClient(url: server.url)
        namespace = RedisServer.uniqueNamespace(label)
        store = ExecutionStore(redis: redis, namespace: namespace)
        fleet = FleetRegistry(redis: redis, namespace: namespace)
        directory = try makeTemporaryDirectory("batch-e2e")
        try Self.writeJobProgram(in: directory)
        config = """
            [gateway]
            \(lease.map { "lease = \($0)s" } ?? "# lease: the default")
            recover-interval = 200ms
            dispatch-timeout = 1s
            dispatch-backoff = 50ms
            dispatch-backoff-max = 200ms
            [breaker]
            window-size = 10
            minimum-calls = 3
            wait-in-open = 2s
            half-open-calls = 2
            [worker]
            slots = \(slots)
            lease-renew = 500ms
            kill-grace = 500ms
            drain-timeout = 2s
            output-flush = 100ms
            [job "noop"]
            kind = builtin
            builtin = noop
            [job "track"]
            command = \(directory)/track.sh \(directory)/attempts.log \(directory)/wait.fifo {seconds}
            param.seconds = pattern ^[0-9]+(\\.[0-9]+)?$, default 0
            max-attempts = 3
            [job "nap"]
            kind = builtin
            builtin = sleep
            param.seconds = int 0..3600, default 1
            max-attempts = 1
            [job "flaky"]
            kind = builtin
            builtin = fail
            max-attempts = 3
            backoff = 60s
            backoff-max = 60s
            \(extra)
            """
        var started: [DaemonProcess] = []
        do {
            for i in 1...workerCount {
                started.append(try DaemonProcess("batch-worker", config: config, redisURL: server.url, namespace: namespace, id: "w\(i)"))
            }
            for i in 1...gatewayCount {
                let offset = clockOffsets["g\(i)"]
                started.append(try DaemonProcess("batch-gateway", config: config, redisURL: server.url, namespace: namespace, id: "g\(i)",
                                                 environment: offset.map { ["LD_PRELOAD": Self.faketime, "FAKETIME": $0] } ?? [:],
                                                 withoutArguments: offset != nil))
            }
            for d in started { try d.waitReady() }
        } catch {
            started.forEach { $0.stop(grace: .seconds(2)) }
            removeTree(directory)
            throw error
        }
        workers = Array(started.prefix(workerCount))
        gateways = Array(started.dropFirst(workerCount))
        try waitUntilGatewaysSeeWorkers()
    }

    /// `track.sh LOG FIFO SECONDS`: appends `start ID ATTEMPT PID MICROS`, waits (a `read` with
    /// a timeout on a FIFO nobody writes, so no grandchild outlives the script), appends `end ...`.
    private static func writeJobProgram(in directory: String) throws {
        let script = """
            #!/bin/bash
            echo "start $BATCH_EXECUTION_ID $BATCH_ATTEMPT $$ ${EPOCHREALTIME/./}" >> "$1"
            if [ "$3" != 0 ]; then read -r -t "$3" <> "$2" || :; fi
            echo "end $BATCH_EXECUTION_ID $BATCH_ATTEMPT $$ ${EPOCHREALTIME/./}" >> "$1"

            """
        // Written through a close-on-exec descriptor: a process another test starts meanwhile
        // must not inherit it open for writing, or running the script fails (ETXTBSY).
        let path = directory + "/track.sh"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o755)
        guard fd >= 0 else { throw TestSupportError("cannot create \(path): errno \(errno)") }
        let bytes = Array(script.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count, chmod(path, 0o755) == 0, mkfifo(directory + "/wait.fifo", 0o600) == 0 else {
            throw TestSupportError("cannot prepare the job program in \(directory): errno \(errno)")
        }
    }

    /// Every gateway lists every worker as live and serving `track` (its directory refreshes on its own).
    private func waitUntilGatewaysSeeWorkers() throws {
        let ids = Set(workers.indices.map { "w\($0 + 1)" })
        let live = waitUntil(timeout: .seconds(15), poll: .milliseconds(100)) {
            let up = Set(((try? fleet.live().daemons) ?? []).filter { $0.role == "worker" }.map(\.id))
            return ids.isSubset(of: up)
        }
        guard live else { throw TestSupportError("workers \(ids.sorted()) never registered:\n\(logs)") }
        // A probe per gateway, answered 202 only once that gateway knows the job type.
        for g in gateways {
            let ok = waitUntil(timeout: .seconds(10), poll: .milliseconds(100)) {
                (try? execute(#"{"jobType":"noop","idempotencyKey":"probe-\#(g.port)"}"#, at: g).status) == 202
            }
            guard ok else { throw TestSupportError("gateway \(g.url) never accepted the noop job:\n\(logs)") }
        }
        // The probes run too: wait for them, so tests start from an idle fleet.
        let idle = waitUntil(timeout: .seconds(10), poll: .milliseconds(50)) {
            (try? store.counts()[.succeeded] ?? 0) == gateways.count
        }
        guard idle else { throw TestSupportError("probe executions did not succeed: \((try? store.counts()) ?? [:])\n\(logs)") }
    }

    /// POST /api/orchestration/execute to `gateway` (the first by default).
    func execute(_ body: String, at gateway: DaemonProcess? = nil, query: String = "") throws -> HTTPClientResponse {
        try client.request("POST", (gateway ?? gateways[0]).url + "/api/orchestration/execute" + query,
                           headers: ["Content-Type": "application/json"], body: Array(body.utf8))
    }

    /// Triggers and returns the execution id; throws unless the gateway answered 202.
    func trigger(_ body: String, at gateway: DaemonProcess? = nil) throws -> String {
        let r = try execute(body, at: gateway)
        guard r.status == 202 else { throw TestSupportError("execute \(body) answered \(r.status): \(r.text)") }
        return try JSONDecoder().decode(BatchExecutionResponse.self, from: Data(r.body)).executionId
    }

    func post(_ path: String, at gateway: DaemonProcess? = nil) throws -> HTTPClientResponse {
        try client.request("POST", (gateway ?? gateways[0]).url + path)
    }

    /// Waits until every id in `ids` is terminal; returns the records (those that are not, too).
    func waitForTerminal(_ ids: [String], timeout: Duration) throws -> [String: ExecutionRecord] {
        var records: [String: ExecutionRecord] = [:]
        var pending = ids
        _ = try waitUntil(timeout: timeout, poll: .milliseconds(100)) {
            var still: [String] = []
            for id in pending {
                guard let r = try store.get(id) else { still.append(id); continue }
                records[id] = r
                if !r.state.isTerminal { still.append(id) }
            }
            pending = still
            return pending.isEmpty
        }
        return records
    }

    /// Every entry of the events stream of this namespace, oldest first.
    func allEvents() throws -> [StreamEvent] {
        var out: [StreamEvent] = []
        var last = "0-0"
        while true {
            let page = try store.events(after: last, count: 5000)
            guard let tail = page.last else { return out }
            out += page
            last = tail.streamID
        }
    }

    /// What the job program recorded.
    var attemptLog: AttemptLog { AttemptLog(text: (try? String(contentsOfFile: directory + "/attempts.log", encoding: .utf8)) ?? "") }

    /// The tails of every daemon's log, for failure messages.
    var logs: String {
        (workers + gateways).map { "--- \($0.process.executable) \($0.url)\n" + String($0.log.suffix(2500)) }.joined(separator: "\n")
    }

    /// Whole log lines of every daemon that contain `text`.
    func logLines(containing text: String) -> [String] {
        (workers + gateways).flatMap { d in d.log.split(separator: "\n").filter { $0.contains(text) }.map { "\(d.url): \($0)" } }
    }

    func stop() {
        for d in gateways + workers { d.stop(grace: .seconds(5)) }
        redis.close()
        removeTree(directory)
    }
}

/// Pids of the live processes whose parent is `parent` (from /proc), the worker's lease reaper left out.
func childPIDs(of parent: pid_t) -> [pid_t] {
    guard let dir = opendir("/proc") else { return [] }
    defer { closedir(dir) }
    var out: [pid_t] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        guard let pid = pid_t(name), let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { continue }
        // After "comm)": state, ppid.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        if fields.count > 1, fields[0] != "Z", pid_t(fields[1]) == parent, !isLeaseReaper(pid) { out.append(pid) }
    }
    return out
}

/// Whether `pid` is a worker's lease reaper (`batch-worker --lease-reaper`).
func isLeaseReaper(_ pid: pid_t) -> Bool {
    guard let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
    return cmdline.split(separator: 0).dropFirst().first.map { String(decoding: $0, as: UTF8.self) } == "--lease-reaper"
}

/// Whether `pid` names a process that is not a zombie.
func isAlive(_ pid: pid_t) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return false }
    return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
}

/// Wall-clock microseconds, comparable with bash's `$EPOCHREALTIME`.
func wallMicros() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
}

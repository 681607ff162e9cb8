import Glibc
import Redis
import Synchronization

/// A real `redis-server` (or `redis-sentinel`) on a free port of 127.0.0.1, in a private temporary
/// folder, for integration tests. It is stopped by `stop()`, when the object goes away, or (for
/// `shared`) when the test process exits, so no test leaves a server behind even when it fails.
public final class RedisServer: Sendable {
    public let port: Int
    /// The private folder: its log (`redis.log`), config, and socket live here.
    public let directory: String
    /// The unix socket, when started with `unixSocket: true`.
    public let unixSocketPath: String?
    public let isSentinel: Bool

    private let executable: String
    private let arguments: [String]
    private let process = Mutex<ChildProcess?>(nil)
    private let removed = Mutex(false)

    /// `redis://127.0.0.1:PORT/0`
    public var url: String { "redis://127.0.0.1:\(port)/0" }
    /// `unix:///…/redis.sock?db=0`, when started with a unix socket.
    public var unixURL: String? { unixSocketPath.map { "unix://\($0)?db=0" } }
    public var logPath: String { directory + "/redis.log" }

    /// Starts a server; `extraConfig` lines are redis.conf lines (`requirepass s3cret`,
    /// `user alice on >pw ~* +@all`) applied after the fixed test settings.
    public static func start(extraConfig: [String] = [], unixSocket: Bool = false) throws -> RedisServer {
        guard let exe = findExecutable("redis-server") else {
            throw TestSupportError("redis-server not found in PATH, /usr/bin or /usr/sbin; install it (apt-get install redis-server): integration tests need it")
        }
        return try launch(executable: exe, sentinel: false, unixSocket: unixSocket) { port, dir in
            var args = ["--port", "\(port)", "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no",
                        "--daemonize", "no", "--logfile", ""]
            if unixSocket { args += ["--unixsocket", dir + "/redis.sock", "--unixsocketperm", "700"] }
            for line in extraConfig { args += try configArguments(line) }
            return args
        }
    }

    /// Starts a `redis-sentinel` watching `masterName` at 127.0.0.1:`masterPort` (quorum 1), with
    /// tight timings so a test sees a failover within seconds.
    public static func startSentinel(masterName: String, masterPort: Int,
                                     downAfter: Duration = .milliseconds(1000),
                                     failoverTimeout: Duration = .seconds(3)) throws -> RedisServer {
        guard let exe = findExecutable("redis-sentinel") else {
            throw TestSupportError("redis-sentinel not found in PATH, /usr/bin or /usr/sbin; install it (apt-get install redis-sentinel)")
        }
        return try launch(executable: exe, sentinel: true, unixSocket: false) { port, dir in
            // Sentinel insists on a writable config file, which it rewrites with what it learns.
            let config = """
            port \(port)
            bind 127.0.0.1
            dir \(dir)
            daemonize no
            logfile ""
            sentinel monitor \(masterName) 127.0.0.1 \(masterPort) 1
            sentinel down-after-milliseconds \(masterName) \(milliseconds(downAfter))
            sentinel failover-timeout \(masterName) \(milliseconds(failoverTimeout))
            sentinel parallel-syncs \(masterName) 1

            """
            let path = dir + "/sentinel.conf"
            guard let file = fopen(path, "w") else { throw TestSupportError("cannot write \(path): errno \(errno)") }
            fputs(config, file)
            fclose(file)
            return [path]
        }
    }

    private init(port: Int, directory: String, unixSocketPath: String?, isSentinel: Bool,
                 executable: String, arguments: [String], process: ChildProcess) {
        self.port = port
        self.directory = directory
        self.unixSocketPath = unixSocketPath
        self.isSentinel = isSentinel
        self.executable = executable
        self.arguments = arguments
        self.process.withLock { $0 = process }
    }

    deinit {
        stop()
    }

    /// Tries a few free ports: another process may grab the one we picked before the server binds it.
    private static func launch(executable: String, sentinel: Bool, unixSocket: Bool,
                               arguments: (Int, String) throws -> [String]) throws -> RedisServer {
        reapOrphans()
        var failures = [String]()
        for _ in 0..<4 {
            let port = freeTCPPort()
            let dir = try makeTemporaryDirectory("batch-redis-\(port)")
            let args = try arguments(port, dir)
            let child = try spawn(executable: executable, arguments: args, directory: dir)
            writeOwnership(directory: dir, serverPID: child.pid)
            if waitForPing(port: port, child: child) {
                return RedisServer(port: port, directory: dir, unixSocketPath: unixSocket ? dir + "/redis.sock" : nil,
                                   isSentinel: sentinel, executable: executable, arguments: args, process: child)
            }
            child.kill()
            failures.append("port \(port): " + tail(of: dir + "/redis.log", lines: 5))
            removeTree(dir)
        }
        throw TestSupportError("\(executable) did not start: " + failures.joined(separator: " | "))
    }

    private static func spawn(executable: String, arguments: [String], directory: String) throws -> ChildProcess {
        try ChildProcess(executable: executable, arguments: arguments, workingDirectory: directory,
                         stdout: .file(directory + "/redis.log"), stderr: .file(directory + "/redis.log"))
    }

    private static func waitForPing(port: Int, child: ChildProcess) -> Bool {
        var options = RedisOptions()
        options.connectTimeout = .milliseconds(500)
        options.readTimeout = .seconds(2)
        let url = RedisURL(endpoint: .tcp(.init(host: "127.0.0.1", port: port)))
        return waitUntil(timeout: .seconds(15), poll: .milliseconds(10)) {
            if !child.isRunning { return true }  // settled below: a dead child is a failed start
            do {
                let connection = try RedisConnection(url: url, options: options)
                defer { connection.close() }
                _ = try connection.send("PING")
                return true
            } catch RedisError.server, RedisError.authFailed {
                return true  // it answered (NOAUTH when a password is required): it is up
            } catch {
                return false
            }
        } && child.isRunning
    }

    /// SIGTERM by PID, waits for the exit (SIGKILL after 5 s), removes the folder.
    public func stop() {
        let child = process.withLock { p in defer { p = nil }; return p }
        child?.terminate(grace: .seconds(5))
        let alreadyRemoved = removed.withLock { r in defer { r = true }; return r }
        if !alreadyRemoved { removeTree(directory) }
    }

    /// SIGKILL, as a crash; `restart()` brings it back on the same port and folder.
    public func kill() {
        let child = process.withLock { p in defer { p = nil }; return p }
        child?.kill()
    }

    /// Starts the server again on the same port and folder (after `kill()`), waiting until it answers.
    public func restart() throws {
        kill()
        var lastError = ""
        for _ in 0..<3 {
            let child = try Self.spawn(executable: executable, arguments: arguments, directory: directory)
            Self.writeOwnership(directory: directory, serverPID: child.pid)
            if Self.waitForPing(port: port, child: child) {
                process.withLock { $0 = child }
                return
            }
            child.kill()
            lastError = logTail
        }
        throw TestSupportError("\(executable) did not restart on port \(port): \(lastError)")
    }

    /// PID of the running server, nil after `kill()`/`stop()`.
    public var pid: pid_t? { process.withLock { $0?.pid } }

    /// The last lines of the server's log, to print when a test fails.
    public var logTail: String { Self.tail(of: logPath, lines: 30) }

    static func tail(of path: String, lines: Int) -> String {
        guard let file = fopen(path, "r") else { return "(no log at \(path))" }
        defer { fclose(file) }
        var all = [String]()
        var buffer = [CChar](repeating: 0, count: 4096)
        while fgets(&buffer, Int32(buffer.count), file) != nil {
            all.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            if all.count > lines * 4 { all.removeFirst(all.count - lines) }
        }
        return all.suffix(lines).joined()
    }
}

private func milliseconds(_ d: Duration) -> Int64 {
    let (s, atto) = d.components
    return s * 1000 + atto / 1_000_000_000_000_000
}

/// Splits a redis.conf line into `--name value…` arguments (double quotes group words).
func configArguments(_ line: String) throws -> [String] {
    var words = [String]()
    var current = ""
    var inQuotes = false
    var hasWord = false
    for ch in line {
        if ch == "\"" {
            inQuotes.toggle()
            hasWord = true
        } else if ch == " " && !inQuotes {
            if hasWord { words.append(current) }
            current = ""
            hasWord = false
        } else {
            current.append(ch)
            hasWord = true
        }
    }
    if inQuotes { throw TestSupportError("unbalanced quote in redis config line: \(line)") }
    if hasWord { words.append(current) }
    guard let name = words.first else { return [] }
    return ["--" + name] + words.dropFirst()
}

import Glibc
import Synchronization

private let orphanSweepDone = Mutex(false)

extension RedisServer {
    /// Records who owns a server folder, so a later test run can reap servers whose test process
    /// crashed (an abort skips `atexit`, and redis-server has no way to die with its parent).
    static func writeOwnership(directory: String, serverPID: pid_t) {
        writeFile(directory + "/owner.pid", "\(getpid())\n")
        writeFile(directory + "/server.pid", "\(serverPID)\n")
    }

    /// Once per process: kills (by PID) servers this fixture started for test processes that no
    /// longer exist, and removes their folders. A PID is trusted only if that process still runs
    /// redis-server/redis-sentinel with the orphaned folder as its working directory.
    static func reapOrphans() {
        let first = orphanSweepDone.withLock { done in defer { done = true }; return !done }
        guard first else { return }
        sweepOrphans(under: getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp")
    }

    /// The sweep itself, over the `batch-redis-*` folders directly under `base`.
    static func sweepOrphans(under base: String) {
        guard let dir = opendir(base) else { return }
        var candidates = [String]()
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasPrefix("batch-redis-") { candidates.append(base + "/" + name) }
        }
        closedir(dir)
        for folder in candidates {
            guard let owner = readPID(folder + "/owner.pid"), owner != getpid(),
                  Glibc.kill(owner, 0) == -1, errno == ESRCH else { continue }
            if let server = readPID(folder + "/server.pid"), isFixtureServer(server, in: folder) {
                Glibc.kill(server, SIGKILL)
            }
            removeTree(folder)
        }
    }

    private static func isFixtureServer(_ pid: pid_t, in folder: String) -> Bool {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/\(pid)/cwd", &buffer, buffer.count - 1)
        guard n > 0 else { return false }
        let cwd = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let command = readFile("/proc/\(pid)/comm") ?? ""
        return cwd == folder && (command.hasPrefix("redis-server") || command.hasPrefix("redis-sentinel"))
    }

    private static func readPID(_ path: String) -> pid_t? {
        readFile(path).flatMap { pid_t(String($0.filter(\.isNumber))) }
    }

    private static func readFile(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 256)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func writeFile(_ path: String, _ text: String) {
        guard let file = fopen(path, "w") else { return }
        fputs(text, file)
        fclose(file)
    }
}

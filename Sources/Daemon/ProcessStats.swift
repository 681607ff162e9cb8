import FoundationEssentials
#if canImport(Glibc)
import Glibc
import Platform
#endif

/// Facts about this process from /proc/self, for registration and the `process_*` metrics.
public struct ProcessStats: Sendable, Equatable {
    public var pid: Int32
    /// User plus system CPU time.
    public var cpuSeconds: Double
    public var residentBytes: UInt64
    public var virtualBytes: UInt64
    public var threads: Int
    /// Unix time the process started, in seconds.
    public var startTime: Double
    public var openFDs: Int
    public var maxFDs: Int

    /// Reads /proc/self/stat, /proc/self/fd and the open-file limit.
    public static func read() throws(DaemonError) -> ProcessStats {
        let stat = try readProcFile("/proc/self/stat")
        var stats = try parseStat(stat, clockTicks: clockTicks, pageSize: pageSize, bootTime: bootTime)
        stats.openFDs = countOpenFDs()
        var lim = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim) == 0 {
            stats.maxFDs = lim.rlim_cur >= UInt(Int.max) ? Int.max : Int(lim.rlim_cur)
        }
        return stats
    }

    /// Resident set size from /proc/self/statm (cheaper than a full `read()`); 0 if unreadable.
    public static func residentBytes() -> UInt64 {
        guard let text = try? readProcFile("/proc/self/statm") else { return 0 }
        let parts = text.split(separator: " ")
        guard parts.count >= 2, let pages = UInt64(parts[1]) else { return 0 }
        return pages * pageSize
    }

    /// This machine's host name.
    public static var hostname: String {
        var buf = [CChar](repeating: 0, count: 256)
        guard gethostname(&buf, buf.count - 1) == 0 else { return "localhost" }
        let end = buf.firstIndex(of: 0) ?? buf.count
        return String(decoding: buf[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public static var pid: Int32 { getpid() }

    /// Unix time this process started, in seconds (from /proc; the wall clock if unreadable).
    public static let processStartTime: Double = {
        (try? read().startTime) ?? Date().timeIntervalSince1970
    }()

    /// Parses the text of /proc/<pid>/stat. The command name sits in
    /// parentheses and may itself hold spaces or parentheses, so fields are
    /// counted from the last `)`.
    static func parseStat(_ text: String, clockTicks: Double, pageSize: UInt64,
                          bootTime: Double) throws(DaemonError) -> ProcessStats {
        guard let close = text.lastIndex(of: ")") else {
            throw .system(call: "parse /proc/self/stat", errno: EINVAL)
        }
        let pidPart = text[..<close].split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
        let fields = text[text.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // fields[0] is field 3 (state) of proc(5).
        func field(_ n: Int) -> UInt64 { n - 3 < fields.count ? UInt64(fields[n - 3]) ?? 0 : 0 }
        guard fields.count >= 22 else { throw .system(call: "parse /proc/self/stat", errno: EINVAL) }
        return ProcessStats(
            pid: Int32(pidPart) ?? getpid(),
            cpuSeconds: Double(field(14) + field(15)) / clockTicks,
            residentBytes: field(24) * pageSize,
            virtualBytes: field(23),
            threads: Int(field(20)),
            startTime: bootTime + Double(field(22)) / clockTicks,
            openFDs: 0,
            maxFDs: 0)
    }

    static let clockTicks: Double = Double(max(sysconf(Int32(_SC_CLK_TCK)), 1))
    static let pageSize: UInt64 = UInt64(max(sysconf(Int32(_SC_PAGESIZE)), 1))

    /// Boot time, seconds since the epoch: the wall clock less the time since boot
    /// (CLOCK_BOOTTIME, the clock /proc/self/stat's start time counts on). Not /proc/stat's
    /// `btime`: the units' ProcSubset=pid hides that file.
    static let bootTime: Double = {
        var real = timespec(), boot = timespec()
        guard clock_gettime(CLOCK_REALTIME, &real) == 0, clock_gettime(CLOCK_BOOTTIME, &boot) == 0 else { return 0 }
        return (Double(real.tv_sec) + Double(real.tv_nsec) / 1e9) - (Double(boot.tv_sec) + Double(boot.tv_nsec) / 1e9)
    }()

    static func countOpenFDs() -> Int {
        guard let dir = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(dir) }
        var n = 0
        while let entry = readdir(dir) {
            let first = entry.pointee.d_name.0
            if first != 0x2E { n += 1 }  // skip "." and ".."
        }
        return max(n - 1, 0)  // the directory stream's own descriptor
    }

    /// /proc files report size 0, so read until end of file.
    static func readProcFile(_ path: String) throws(DaemonError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .system(call: "open \(path)", errno: errno) }
        defer { Glibc.close(fd) }
        var data = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n: Int
            do {
                n = try syscall("read") { buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) } }
            } catch {
                throw .system(call: "read \(path)", errno: error.errno)
            }
            if n == 0 { break }
            data.append(contentsOf: buf[0..<n])
        }
        return String(decoding: data, as: UTF8.self)
    }
}

extension ProcessStats {
    /// The `process_*` families the Prometheus client libraries export.
    static func families(_ s: ProcessStats) -> [CollectedFamily] {
        func one(_ name: String, _ help: String, _ type: MetricType, _ v: Double) -> CollectedFamily {
            CollectedFamily(name: name, help: help, type: type, labelNames: [], series: [([], .scalar(v))])
        }
        return [
            one("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", .counter, s.cpuSeconds),
            one("process_resident_memory_bytes", "Resident memory size in bytes.", .gauge, Double(s.residentBytes)),
            one("process_virtual_memory_bytes", "Virtual memory size in bytes.", .gauge, Double(s.virtualBytes)),
            one("process_open_fds", "Number of open file descriptors.", .gauge, Double(s.openFDs)),
            one("process_max_fds", "Maximum number of open file descriptors.", .gauge,
                s.maxFDs == Int.max ? .infinity : Double(s.maxFDs)),
            one("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", .gauge, s.startTime),
            one("process_threads", "Number of OS threads in the process.", .gauge, Double(s.threads)),
        ]
    }
}

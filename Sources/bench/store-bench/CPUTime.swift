import Glibc
import Redis

/// CPU seconds, to split a run's cost between this process and Redis whatever the machine's load.
enum CPUTime {
    /// User + system CPU of this whole process.
    static func process() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return seconds(u.ru_utime) + seconds(u.ru_stime)
    }

    /// User + system CPU of the calling thread.
    static func thread() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// User + system CPU of the Redis server (all its threads), from `INFO cpu`.
    static func redis(_ client: RedisClient) throws -> Double {
        let info = try client.info("cpu")
        guard let s = info["used_cpu_sys"].flatMap(Double.init), let u = info["used_cpu_user"].flatMap(Double.init) else {
            throw BenchError.failed("INFO cpu has no used_cpu_sys/used_cpu_user")
        }
        return s + u
    }

    private static func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
}

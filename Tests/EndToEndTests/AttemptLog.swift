import Glibc

/// The lines `track.sh` appended: one run of an attempt is a `start` line and, unless the
/// process was killed, an `end` line with the same pid.
struct AttemptLog {
    struct Run: Equatable {
        var id: String
        var attempt: Int
        var pid: pid_t
        /// Wall-clock microseconds.
        var start: Int64
        var end: Int64?
    }

    private(set) var runs: [Run] = []
    /// Lines that did not parse: a sign of interleaved writes.
    private(set) var malformed: [String] = []

    init(text: String) {
        var open: [pid_t: Int] = [:]
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.count == 5, let attempt = Int(f[2]), let pid = pid_t(f[3]), let micros = Int64(f[4]) else {
                malformed.append(String(line)); continue
            }
            switch f[0] {
            case "start":
                open[pid] = runs.count
                runs.append(Run(id: String(f[1]), attempt: attempt, pid: pid, start: micros))
            case "end":
                guard let i = open.removeValue(forKey: pid), runs[i].id == f[1] else { malformed.append(String(line)); continue }
                runs[i].end = micros
            default:
                malformed.append(String(line))
            }
        }
    }

    /// Runs by execution id, in start order.
    var byID: [String: [Run]] { Dictionary(grouping: runs.sorted { $0.start < $1.start }, by: \.id) }

    /// Pairs of runs of one execution whose intervals overlap. A run without an end (its process
    /// was killed) is taken to last until `unendedUntil`, the moment the test saw it dead.
    func overlaps(unendedUntil: Int64) -> [(Run, Run)] {
        var out: [(Run, Run)] = []
        for (_, runs) in byID {
            for (a, b) in zip(runs, runs.dropFirst()) where b.start <= (a.end ?? unendedUntil) {
                out.append((a, b))
            }
        }
        return out
    }
}

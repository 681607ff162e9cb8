import Redis

/// Small readers of Redis's own statistics.
extension RedisClient {
    /// `INFO <section>` as key → value.
    func info(_ section: String) throws -> [String: String] {
        let text = try send("INFO", section).string ?? ""
        var out: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            out[String(line[..<colon])] = String(line[line.index(after: colon)...])
        }
        return out
    }

    func usedMemory() throws -> Int {
        guard let v = try info("memory")["used_memory"].flatMap(Int.init) else {
            throw BenchError.failed("INFO memory has no used_memory")
        }
        return v
    }

    /// `MEMORY USAGE key SAMPLES 0` (exact), 0 when the key does not exist.
    func memoryUsage(_ key: String) throws -> Int {
        Int(try send("MEMORY", "USAGE", key, "SAMPLES", "0").int ?? 0)
    }

    /// Per command of `INFO commandstats`: calls and total µs.
    func commandStats() throws -> [String: (calls: Int, usec: Int)] {
        var out: [String: (calls: Int, usec: Int)] = [:]
        for (k, v) in try info("commandstats") where k.hasPrefix("cmdstat_") {
            var fields: [String: Int] = [:]
            for part in v.split(separator: ",") {
                let kv = part.split(separator: "=", maxSplits: 1)
                if kv.count == 2, let n = Int(kv[1]) { fields[String(kv[0])] = n }
            }
            out[String(k.dropFirst("cmdstat_".count))] = (fields["calls"] ?? 0, fields["usec"] ?? 0)
        }
        return out
    }
}

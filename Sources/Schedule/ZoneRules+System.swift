import FoundationEssentials

extension ZoneRules {
    /// The machine's zone, for schedules without `zone`: `$TZ` when set (a tz
    /// database name, optionally with a leading `:`), else the zone
    /// `/etc/localtime` links to, else that file's rules under the name
    /// `localtime`, else UTC. Parameters exist for tests.
    public static func system(environment: [String: String] = ProcessInfo.processInfo.environment,
                              localtime: String = "/etc/localtime",
                              directory: String = "/usr/share/zoneinfo") throws(CronError) -> ZoneRules {
        if var tz = environment["TZ"], !tz.isEmpty {
            if tz.hasPrefix(":") { tz.removeFirst() }
            return try named(tz, directory: directory)
        }
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: localtime),
           let range = target.firstRange(of: "zoneinfo/") {
            return try named(String(target[range.upperBound...]), directory: directory)
        }
        if let data = FileManager.default.contents(atPath: localtime) {
            return try ZoneRules(tzif: [UInt8](data), identifier: "localtime")
        }
        return .utc
    }
}

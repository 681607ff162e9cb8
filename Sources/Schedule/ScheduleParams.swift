/// Fills the placeholders a schedule's parameters may use: `{fire-time}` (the
/// scheduled instant, ISO 8601 with the zone's offset), `{fire-date}`
/// (`YYYY-MM-DD` in the zone) and `{schedule}` (the schedule's name), anywhere
/// inside a value. Other braces are left as they are.
public func expandScheduleParams(_ params: [String: String], schedule: String, fireTime: Instant,
                                 zone: ZoneRules) -> [String: String] {
    var time: String?
    var date: String?
    return params.mapValues { value in
        guard value.contains("{") else { return value }
        var v = value
        if v.contains("{fire-time}") {
            if time == nil { time = fireTime.iso8601(in: zone) }
            v = v.replacingAll("{fire-time}", with: time!)
        }
        if v.contains("{fire-date}") {
            if date == nil { date = fireTime.localDate(in: zone) }
            v = v.replacingAll("{fire-date}", with: date!)
        }
        if v.contains("{schedule}") { v = v.replacingAll("{schedule}", with: schedule) }
        return v
    }
}

private extension String {
    /// Replaces every occurrence, without Foundation (the schedule engine's pure part).
    func replacingAll(_ target: String, with replacement: String) -> String {
        var out = ""
        var rest = Substring(self)
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}

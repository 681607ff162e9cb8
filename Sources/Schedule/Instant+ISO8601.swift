/// ISO 8601 text for instants, in a zone's local time.
extension Instant {
    /// `2026-03-08T03:00:00-04:00`: the local time in `zone` with the offset in
    /// effect then. A zone that is UTC itself (`ZoneRules.utc`, `UTC`, `Etc/UTC`, ...)
    /// writes `Z` instead of `+00:00`; other zones at offset zero (Europe/London in
    /// winter) write `+00:00`. Milliseconds appear (`.250`) only when not zero; an
    /// offset with seconds (old local mean times) is written `+HH:MM:SS`.
    public func iso8601(in zone: ZoneRules) -> String {
        let offset = zone.offset(at: self)
        let localMs = millisecondsSinceEpoch + Int64(offset) * 1000
        let secs = Civil.floorDiv(localMs, 1000)
        let ms = Int(localMs - secs * 1000)
        let t = LocalDateTime(wallSeconds: secs)
        var out = Instant.dateText(t.year, t.month, t.day)
        out += "T" + Instant.pad2(t.hour) + ":" + Instant.pad2(t.minute) + ":" + Instant.pad2(t.second)
        if ms != 0 { out += "." + Instant.pad(ms, 3) }
        if zone.isUTC {
            out += "Z"
        } else {
            let a = abs(offset)
            out += (offset < 0 ? "-" : "+") + Instant.pad2(a / 3600) + ":" + Instant.pad2(a / 60 % 60)
            if a % 60 != 0 { out += ":" + Instant.pad2(a % 60) }
        }
        return out
    }

    /// `YYYY-MM-DD`: the local date in `zone`.
    public func localDate(in zone: ZoneRules) -> String {
        let localMs = millisecondsSinceEpoch + Int64(zone.offset(at: self)) * 1000
        let (y, m, d) = Civil.civilFromDays(Int(Civil.floorDiv(localMs, 86_400_000)))
        return Instant.dateText(y, m, d)
    }

    /// Parses `2026-03-08T01:00:00-05:00`, `2026-03-08T01:00:00Z`,
    /// `2026-03-08T01:00:00.250+09:00`, `2026-03-08T01:00` and `2026-03-08T01:00:00`
    /// (local time in `zone`) and `2026-03-08` (the start of that day in `zone`).
    /// `T` may also be a space. A local time that does not exist in `zone` (DST gap)
    /// means the next existing instant; one that exists twice means the first.
    public init(iso8601 text: String, zone: ZoneRules) throws(CronError) {
        var p = ISOScanner(text: text)
        let year = try p.number(digits: 4, what: "a 4-digit year")
        try p.expect(UInt8(ascii: "-"), what: "'-' after the year")
        let month = try p.number(digits: 2, what: "a 2-digit month")
        try p.expect(UInt8(ascii: "-"), what: "'-' after the month")
        let day = try p.number(digits: 2, what: "a 2-digit day")
        guard (1...12).contains(month) else { throw p.fail("month \(month) is not 1-12") }
        guard day >= 1, day <= Civil.daysInMonth(year: year, month: month) else {
            throw p.fail("day \(day) does not exist in \(Instant.dateText(year, month, 1).prefix(7))")
        }
        var wall = LocalDateTime(year: year, month: month, day: day)
        var ms = 0
        if p.atEnd {
            self = zone.firstInstant(atWall: wall.wallSeconds)
            return
        }
        guard let sep = p.next(), sep == UInt8(ascii: "T") || sep == UInt8(ascii: "t") || sep == UInt8(ascii: " ") else {
            throw p.fail("expected 'T' between date and time")
        }
        wall.hour = try p.number(digits: 2, what: "a 2-digit hour")
        try p.expect(UInt8(ascii: ":"), what: "':' after the hour")
        wall.minute = try p.number(digits: 2, what: "2-digit minutes")
        if p.peek == UInt8(ascii: ":") {
            _ = p.next()
            wall.second = try p.number(digits: 2, what: "2-digit seconds")
            if p.peek == UInt8(ascii: ".") || p.peek == UInt8(ascii: ",") {
                _ = p.next()
                var digits = 0
                while let c = p.peek, c >= 48, c <= 57 {
                    _ = p.next()
                    if digits < 3 { ms = ms * 10 + Int(c - 48) }
                    digits += 1
                }
                guard digits > 0 else { throw p.fail("expected digits after the decimal point") }
                for _ in digits..<max(digits, 3) { ms *= 10 }
            }
        }
        guard wall.hour <= 23, wall.minute <= 59, wall.second <= 59 else {
            throw p.fail("time of day out of range (00:00:00 to 23:59:59)")
        }
        if p.atEnd {
            self = zone.firstInstant(atWall: wall.wallSeconds).adding(milliseconds: Int64(ms))
            return
        }
        let sign = p.next()!
        var offset = 0
        switch sign {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            offset = 0
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let hh = try p.number(digits: 2, what: "a 2-digit offset hour")
            if p.peek == UInt8(ascii: ":") { _ = p.next() }
            let mm = p.atEnd ? 0 : try p.number(digits: 2, what: "2-digit offset minutes")
            guard hh <= 18, mm <= 59 else { throw p.fail("offset out of range (at most 18:00)") }
            offset = (hh * 3600 + mm * 60) * (sign == UInt8(ascii: "-") ? -1 : 1)
        default:
            throw p.fail("expected 'Z', '+HH:MM' or '-HH:MM' after the time")
        }
        guard p.atEnd else { throw p.fail("unexpected text after the offset") }
        self.init(millisecondsSinceEpoch: (wall.wallSeconds - Int64(offset)) * 1000 + Int64(ms))
    }

    static func dateText(_ y: Int, _ m: Int, _ d: Int) -> String {
        let year = y < 0 ? "-" + pad(-y, 4) : pad(y, 4)
        return year + "-" + pad2(m) + "-" + pad2(d)
    }

    static func pad2(_ v: Int) -> String { pad(v, 2) }

    static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}

/// A cursor over the bytes of an ISO 8601 text.
private struct ISOScanner {
    let text: String
    let bytes: [UInt8]
    var i = 0

    init(text: String) { self.text = text; self.bytes = Array(text.utf8) }

    var atEnd: Bool { i >= bytes.count }
    var peek: UInt8? { atEnd ? nil : bytes[i] }

    mutating func next() -> UInt8? {
        guard !atEnd else { return nil }
        defer { i += 1 }
        return bytes[i]
    }

    mutating func number(digits: Int, what: String) throws(CronError) -> Int {
        var v = 0
        for _ in 0..<digits {
            guard let c = peek, c >= 48, c <= 57 else { throw fail("expected \(what) at position \(i + 1)") }
            v = v * 10 + Int(c - 48)
            i += 1
        }
        return v
    }

    mutating func expect(_ c: UInt8, what: String) throws(CronError) {
        guard peek == c else { throw fail("expected \(what) at position \(i + 1)") }
        i += 1
    }

    func fail(_ reason: String) -> CronError {
        CronError(kind: .time, input: text,
                  reason: reason + "; use 2026-03-08, 2026-03-08T01:00:00, 2026-03-08T01:00:00Z or 2026-03-08T01:00:00-05:00")
    }
}

/// Reading TZif files (RFC 8536), versions 1 to 4.
extension ZoneRules {
    /// Builds zone rules from the bytes of a TZif file.
    init(tzif b: [UInt8], identifier: String) throws(CronError) {
        func bad(_ why: String) -> CronError {
            CronError(kind: .zone, input: identifier, reason: "malformed tz database file: \(why); reinstall tzdata")
        }
        func u32(_ i: Int) -> UInt32 {
            UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
        }
        func i64(_ i: Int) -> Int64 { Int64(bitPattern: UInt64(u32(i)) << 32 | UInt64(u32(i + 4))) }
        guard b.count >= 44, b[0] == 0x54, b[1] == 0x5A, b[2] == 0x69, b[3] == 0x66 else {
            throw bad("no TZif header")
        }
        struct Counts { var isut = 0, isstd = 0, leap = 0, time = 0, type = 0, char = 0 }
        func counts(at h: Int) -> Counts {
            Counts(isut: Int(u32(h + 20)), isstd: Int(u32(h + 24)), leap: Int(u32(h + 28)),
                   time: Int(u32(h + 32)), type: Int(u32(h + 36)), char: Int(u32(h + 40)))
        }
        let version = b[4]
        var header = 0
        var timeSize = 4
        var c = counts(at: 0)
        if version >= UInt8(ascii: "2") {
            let v1Length = c.time * 5 + c.type * 6 + c.char + c.leap * 8 + c.isstd + c.isut
            header = 44 + v1Length
            guard b.count >= header + 44 else { throw bad("truncated before the version 2 header") }
            c = counts(at: header)
            timeSize = 8
        }
        let dataStart = header + 44
        let blockLength = c.time * (timeSize + 1) + c.type * 6 + c.char + c.leap * (timeSize + 4) + c.isstd + c.isut
        guard c.type > 0, b.count >= dataStart + blockLength else { throw bad("truncated data block") }
        var times: [Int64] = []
        times.reserveCapacity(c.time)
        for k in 0..<c.time {
            let at = dataStart + k * timeSize
            times.append(timeSize == 8 ? i64(at) : Int64(Int32(bitPattern: u32(at))))
        }
        let indexStart = dataStart + c.time * timeSize
        let typeStart = indexStart + c.time
        var typeOffsets: [Int32] = []
        for k in 0..<c.type {
            typeOffsets.append(Int32(bitPattern: u32(typeStart + k * 6)))
        }
        var offsets: [Int32] = []
        offsets.reserveCapacity(c.time)
        for k in 0..<c.time {
            let idx = Int(b[indexStart + k])
            guard idx < c.type else { throw bad("transition type index out of range") }
            offsets.append(typeOffsets[idx])
        }
        var rule: PosixRule?
        if timeSize == 8 {
            var i = dataStart + blockLength
            if i < b.count, b[i] == 0x0A {
                i += 1
                var end = i
                while end < b.count, b[end] != 0x0A { end += 1 }
                let footer = String(decoding: b[i..<end], as: UTF8.self)
                if !footer.isEmpty {
                    guard let r = PosixRule(parsing: footer) else { throw bad("unreadable TZ rule \"\(footer)\"") }
                    rule = r
                }
            }
        }
        self.init(identifier: identifier, transitions: times, offsetsAfter: offsets,
                  initialOffset: typeOffsets[0], rule: rule)
    }
}

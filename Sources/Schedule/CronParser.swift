/// Parses the fields of one cron expression, with errors that name the field.
struct CronParser {
    let input: String
    let crontab: Bool

    static let monthNames = ["JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6,
                             "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12]
    /// Spring numbers weekdays the ISO way with Sunday as 7 (and also 0).
    static let dayNames = ["MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6, "SUN": 7]

    struct Spec {
        let field: Int
        let name: String
        let range: ClosedRange<Int>
        /// What `*` spans before a step: Spring's day of week is 1-7, crontab's 0-7.
        let star: ClosedRange<Int>
        let names: [String: Int]
    }

    func spec(_ field: Int) -> Spec {
        switch field {
        case 1: return Spec(field: 1, name: "second", range: 0...59, star: 0...59, names: [:])
        case 2: return Spec(field: 2, name: "minute", range: 0...59, star: 0...59, names: [:])
        case 3: return Spec(field: 3, name: "hour", range: 0...23, star: 0...23, names: [:])
        case 4: return Spec(field: 4, name: "day of month", range: 1...31, star: 1...31, names: [:])
        case 5: return Spec(field: 5, name: "month", range: 1...12, star: 1...12, names: CronParser.monthNames)
        default: return Spec(field: 6, name: "day of week", range: 0...7, star: crontab ? 0...7 : 1...7,
                             names: CronParser.dayNames)
        }
    }

    func fail(_ spec: Spec, _ reason: String) -> CronError {
        CronError(kind: .syntax, input: input, field: crontab ? spec.field - 1 : spec.field,
                  fieldName: spec.name, reason: reason)
    }

    /// Seconds, minutes, hours and months: lists of values, ranges and steps.
    func plain(_ text: Substring, field: Int) throws(CronError) -> BitSet64 {
        let spec = spec(field)
        var set = BitSet64()
        for element in try elements(text, spec) {
            try addRange(element, spec, into: &set)
        }
        return set
    }

    func daysOfMonth(_ text: Substring) throws(CronError) -> DayOfMonthField {
        let spec = spec(4)
        var f = DayOfMonthField()
        f.unrestricted = text.hasPrefix("*") || text.hasPrefix("?")
        for element in try elements(text, spec) {
            let e = element.uppercased()
            if e.contains("L") || e.contains("W") {
                if e == "L" {
                    f.fromLast.insert(0)
                } else if e == "LW" {
                    f.lastWeekday = true
                } else if e.hasPrefix("L-") {
                    guard let n = Int(e.dropFirst(2)), (1...30).contains(n) else {
                        throw fail(spec, "\"\(element)\": the offset after L- must be a number from 1 to 30")
                    }
                    f.fromLast.insert(n)
                } else if e.hasSuffix("W"), let n = Int(e.dropLast()) {
                    guard spec.range.contains(n) else {
                        throw fail(spec, "\"\(element)\": the day before W must be 1-31")
                    }
                    f.nearestWeekday.insert(n)
                } else {
                    throw fail(spec, "\"\(element)\" is not understood; use L (last day), L-3, LW (last weekday) or 15W (weekday nearest the 15th)")
                }
            } else {
                try addRange(element, spec, into: &f.days)
            }
        }
        return f
    }

    func daysOfWeek(_ text: Substring) throws(CronError) -> DayOfWeekField {
        let spec = spec(6)
        var f = DayOfWeekField()
        f.unrestricted = text.hasPrefix("*") || text.hasPrefix("?")
        for element in try elements(text, spec) {
            let e = element.uppercased()
            if e.hasSuffix("L") {
                guard e.count > 1 else {
                    throw fail(spec, "\"L\" needs a day before it, e.g. 5L or FRIL for the last Friday of the month")
                }
                f.lastInMonth.insert(try value(Substring(e.dropLast()), spec) % 7)
            } else if let hash = e.firstIndex(of: "#") {
                let day = try value(e[..<hash], spec) % 7
                guard let n = Int(e[e.index(after: hash)...]), (1...5).contains(n) else {
                    throw fail(spec, "\"\(element)\": the number after # must be 1-5 (MON#2 is the second Monday)")
                }
                f.nth.insert(day * 8 + n)
            } else {
                var days = BitSet64()
                try addRange(element, spec, into: &days)
                // 7 and 0 are both Sunday.
                if days.contains(7) { days.insert(0); days.bits &= ~(UInt64(1) << 7) }
                f.weekdays.bits |= days.bits
            }
        }
        return f
    }

    private func elements(_ text: Substring, _ spec: Spec) throws(CronError) -> [Substring] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        for p in parts where p.isEmpty {
            throw fail(spec, "empty list element in \"\(text)\"; remove the extra comma")
        }
        return parts
    }

    /// `*`, `?`, `v`, `a-b`, each optionally `/step`; `v/step` runs from v to the field's maximum.
    private func addRange(_ element: Substring, _ spec: Spec, into set: inout BitSet64) throws(CronError) {
        var base = element
        var step = 1
        if let slash = element.firstIndex(of: "/") {
            base = element[..<slash]
            let stepText = element[element.index(after: slash)...]
            guard let s = Int(stepText) else {
                throw fail(spec, "step \"\(stepText)\" in \"\(element)\" is not a number")
            }
            guard s >= 1 else { throw fail(spec, "step \(s) in \"\(element)\" must be 1 or more") }
            step = s
        }
        var lo: Int, hi: Int
        if base == "*" || base == "?" {
            if base == "?", spec.field != 4, spec.field != 6 {
                throw fail(spec, "\"?\" is only allowed in the day-of-month and day-of-week fields; use *")
            }
            lo = spec.star.lowerBound; hi = spec.star.upperBound
        } else if let dash = base.firstIndex(of: "-"), dash != base.startIndex {
            lo = try value(base[..<dash], spec)
            hi = try value(base[base.index(after: dash)...], spec)
            if spec.field == 6, lo == 7 { lo = 0 }  // Sunday as a range's start means 0
            guard lo <= hi else {
                throw fail(spec, "range \"\(base)\" runs backwards; write the smaller value first or use a list")
            }
        } else {
            lo = try value(base, spec)
            hi = step > 1 || element.contains("/") ? spec.range.upperBound : lo
        }
        var v = lo
        while v <= hi { set.insert(v); v += step }
    }

    /// One value: a number in the field's range or, for months and days of week, a name.
    private func value(_ text: Substring, _ spec: Spec) throws(CronError) -> Int {
        if let n = spec.names[text.uppercased()] { return n }
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(text) else {
            let hint = spec.names.isEmpty ? "" : spec.field == 5 ? " or a name JAN-DEC" : " or a name SUN-SAT"
            throw fail(spec, "\"\(text)\" is not a number\(hint)")
        }
        guard spec.range.contains(n) else {
            throw fail(spec, "value \(n) is out of range \(spec.range.lowerBound)-\(spec.range.upperBound)")
        }
        return n
    }
}

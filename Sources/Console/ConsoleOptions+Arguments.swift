/// Option values as typed on the command line, for whoever parses argv.
extension ConsoleOptions {
    /// `-d SECONDS`: seconds with decimals, like top's `-d 0.5`.
    public static func delay(fromSeconds text: String) throws(ConsoleError) -> Duration {
        guard let s = Double(text), s.isFinite, s >= 0.1, s <= 86_400 else {
            throw .usage("-d \(text): give the refresh delay in seconds, from 0.1 to 86400 (for example -d 0.5)")
        }
        return .milliseconds(Int64((s * 1000).rounded()))
    }
}

extension ConsoleView {
    /// `-v VIEW`: a view's name (any case, or a prefix such as `work`) or its number.
    public init(argument: String) throws(ConsoleError) {
        let a = argument.lowercased()
        if let n = Int(a), let v = ConsoleView(rawValue: n) { self = v; return }
        let matches = ConsoleView.allCases.filter { !a.isEmpty && $0.title.lowercased().hasPrefix(a) }
        guard matches.count == 1 else {
            throw .usage("-v \(argument): the view is one of executions, workers, schedules, events (or 1 to 4)")
        }
        self = matches[0]
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and carriage returns (the config
    /// syntax's and the breaker state names' notion of blank; no Foundation).
    public func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s.removeLast() }
        return String(s)
    }
}

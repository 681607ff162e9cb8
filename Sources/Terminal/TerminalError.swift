/// Why the terminal could not be used.
public enum TerminalError: Error, CustomStringConvertible, Equatable {
    /// `newterm` refused the terminal type.
    case unusableTerminal(term: String)
    /// Standard input or output is not a terminal.
    case notATerminal

    public var description: String {
        switch self {
        case .unusableTerminal(let term):
            return "cannot use terminal type \"\(term)\": set TERM to a type in the terminfo database (for example TERM=xterm-256color), or use -b for plain-text output"
        case .notATerminal:
            return "standard input and output must be a terminal for the live console; use -b -n N for plain-text snapshots"
        }
    }
}

import CNcursesw
import Glibc

/// The real terminal, through ncursesw. Views draw into curses' own screen buffer
/// (`clear` is `werase`, never `clear`), and `refresh` sends only what changed, so
/// redraws do not flicker.
///
/// Not `Sendable`: curses is used from the one thread that made the screen. While a
/// screen is open, SIGTERM, SIGINT and SIGHUP first give the terminal back (`endwin`),
/// then end the process as the signal would have; so do crashes (SIGSEGV, a Swift
/// trap), so the shell is never left without echo.
public final class CursesScreen: Screen {
    private var screen: OpaquePointer?
    private let window: UnsafeMutablePointer<WINDOW>
    private let palette: Palette
    /// Streams opened for a terminal other than standard input and output; closed with the screen.
    private var ownStreams: [UnsafeMutablePointer<FILE>] = []

    /// Takes over the terminal on `input` and `output` (standard input and output by
    /// default) as terminal type `term` (default `TERM`). Throws, leaving the terminal
    /// as it was, when they are not a terminal or the type is unusable. With `color`
    /// false (or `NO_COLOR` set) roles are drawn with attributes only.
    public init(color: Bool = true, input: Int32 = 0, output: Int32 = 1, term: String? = nil) throws {
        guard isatty(input) == 1, isatty(output) == 1 else { throw TerminalError.notATerminal }
        // Curses needs a UTF-8 LC_CTYPE for wide characters; set once per process, so a
        // second screen (or a test) never sees the locale change under its feet.
        TextWidth.prepareLocale()
        var streams: [UnsafeMutablePointer<FILE>] = []
        func stream(_ fd: Int32, _ mode: String, standard: UnsafeMutablePointer<FILE>?) throws -> UnsafeMutablePointer<FILE> {
            if let standard { return standard }
            // A duplicate, so closing the stream leaves the caller's descriptor open.
            guard let f = fdopen(dup(fd), mode) else { throw TerminalError.notATerminal }
            streams.append(f)
            return f
        }
        let outFile = try stream(output, "w", standard: output == 1 ? batch_stdout() : nil)
        let inFile = try stream(input, "r", standard: input == 0 ? batch_stdin() : nil)
        // newterm, unlike initscr, returns nil for a bad TERM instead of exiting.
        let scr: OpaquePointer? = term.map { newterm($0, outFile, inFile) } ?? newterm(nil, outFile, inFile)
        guard let scr else {
            streams.forEach { fclose($0) }
            let name = term ?? getenv("TERM").map { String(cString: $0) } ?? ""
            throw TerminalError.unusableTerminal(term: name)
        }
        ownStreams = streams
        screen = scr
        _ = set_term(scr)
        window = batch_stdscr()
        batch_install_restore_handlers()
        _ = cbreak()
        Self.readInterruptAsKey(input)
        _ = noecho()
        _ = nonl()
        _ = keypad(window, true)
        _ = curs_set(0)
        _ = set_escdelay(25)
        // no-color.org: NO_COLOR counts when set to a value; an empty one does not.
        let noColor = getenv("NO_COLOR").map { $0.pointee != 0 } ?? false
        let useColor = color && !noColor && has_colors()
        if useColor {
            _ = start_color()
            _ = use_default_colors()
        }
        palette = Palette(color: useColor)
        palette.install()
    }

    deinit { close() }

    /// Ctrl-C arrives as a key (the console decides: quit from a view, close a form),
    /// not as SIGINT, while the other signal keys (Ctrl-Z, Ctrl-\\) keep their meaning.
    /// Curses records the mode as its own, so it survives a suspend; `endwin` gives the
    /// shell its interrupt key back.
    private static func readInterruptAsKey(_ fd: Int32) {
        var t = termios()
        guard tcgetattr(fd, &t) == 0 else { return }
        withUnsafeMutableBytes(of: &t.c_cc) { $0[Int(VINTR)] = 0 }  // _POSIX_VDISABLE
        guard tcsetattr(fd, TCSANOW, &t) == 0 else { return }
        _ = def_prog_mode()
    }

    /// Gives the terminal back. Safe to call more than once.
    public func close() {
        guard let scr = screen else { return }
        _ = curs_set(1)
        _ = endwin()
        delscreen(scr)
        screen = nil
        ownStreams.forEach { fclose($0) }
        ownStreams = []
        batch_remove_restore_handlers()
    }

    public var size: Size {
        Size(rows: Int(batch_getmaxy(window)), cols: Int(batch_getmaxx(window)))
    }

    public func clear() { _ = werase(window) }

    public func put(_ row: Int, _ col: Int, _ text: String, _ style: Style) {
        let sz = size
        guard row >= 0, row < sz.rows, col < sz.cols else { return }
        var start = col
        var visible = ""
        var used = 0
        for raw in text {
            let ch = TextWidth.printable(raw)
            let w = TextWidth.width(of: ch)
            if start < 0 { start += w; continue }
            if start + used + w > sz.cols { break }
            visible.append(ch)
            used += w
        }
        guard !visible.isEmpty, start < sz.cols else { return }
        palette.apply(style, to: window)
        _ = mvwaddstr(window, Int32(row), Int32(start), visible)
    }

    public func fill(_ row: Int, _ col: Int, width: Int, _ char: Character, _ style: Style) {
        let from = max(col, 0), to = min(col + width, size.cols)
        guard from < to else { return }
        put(row, from, String(repeating: String(char), count: to - from), style)
    }

    /// Sends the drawn screen to the terminal: only the cells that changed.
    public func refresh() { _ = wrefresh(window) }

    /// Waits up to `timeoutMilliseconds` for a key; nil when none came.
    public func readKey(timeoutMilliseconds: Int) -> Key? {
        wtimeout(window, Int32(max(timeoutMilliseconds, 0)))
        var ch: wint_t = 0
        let r = wget_wch(window, &ch)
        if r == OK { return Key.decode(character: UInt32(ch)) }
        if r == KEY_CODE_YES { return Key.decode(keyCode: Int32(ch), functionKeyBase: KeyCodes.f0) }
        return nil
    }
}

/// A screen size in character cells.
public struct Size: Sendable, Hashable, CustomStringConvertible {
    public var rows: Int
    public var cols: Int
    public init(rows: Int, cols: Int) { self.rows = rows; self.cols = cols }
    public var description: String { "\(cols)x\(rows)" }
}

/// A grid of character cells that views draw into. Everything outside the grid is
/// clipped, so callers never check bounds; wide characters take two cells and are
/// never split at the right edge.
public protocol Canvas: AnyObject {
    var size: Size { get }
    /// Writes `text` from (`row`, `col`) on, cut at the right edge. Control characters
    /// are shown as `?` so data can never move the cursor or change the terminal.
    func put(_ row: Int, _ col: Int, _ text: String, _ style: Style)
    /// Fills `width` cells from (`row`, `col`) with `char` (a one-cell character).
    func fill(_ row: Int, _ col: Int, width: Int, _ char: Character, _ style: Style)
    /// Blanks the whole grid.
    func clear()
}

extension Canvas {
    /// Writes `text` padded with blanks (or cut) to exactly `width` cells.
    public func put(_ row: Int, _ col: Int, _ text: String, width: Int, _ style: Style) {
        guard width > 0 else { return }
        put(row, col, TextWidth.pad(text, to: width), style)
    }

    /// Blanks one whole row in a style (a bar background).
    public func fillRow(_ row: Int, _ style: Style) {
        fill(row, 0, width: size.cols, " ", style)
    }
}

/// A canvas that is a live terminal: it shows what was drawn and reads keys.
public protocol Screen: Canvas {
    /// Shows what was drawn since the last refresh.
    func refresh()
    /// Waits up to `timeoutMilliseconds` for a key; nil when none came.
    func readKey(timeoutMilliseconds: Int) -> Key?
}

/// An in-memory canvas: a grid of cells with their styles. Views render into it in
/// tests (and in batch mode, where its lines are printed as plain text).
public final class GridCanvas: Canvas {
    /// One cell: the character shown there, or `nil` for the second half of a wide one.
    public struct Cell: Equatable, Sendable {
        public var char: Character?
        public var style: Style
    }

    public let size: Size
    private var cells: [[Cell]]

    public init(rows: Int, cols: Int) {
        precondition(rows >= 0 && cols >= 0, "a canvas has a non-negative size")
        size = Size(rows: rows, cols: cols)
        cells = Array(repeating: Array(repeating: Cell(char: " ", style: .normal), count: cols), count: rows)
    }

    public func clear() {
        for r in 0..<size.rows {
            for c in 0..<size.cols { cells[r][c] = Cell(char: " ", style: .normal) }
        }
    }

    public func put(_ row: Int, _ col: Int, _ text: String, _ style: Style) {
        guard row >= 0, row < size.rows else { return }
        var c = col
        for raw in text {
            let ch = TextWidth.printable(raw)
            let w = TextWidth.width(of: ch)
            if w == 0 { continue }  // a lone combining mark: nothing to place it on
            if c + w > size.cols { break }
            if c >= 0 {
                clearWideNeighbour(row, c)
                cells[row][c] = Cell(char: ch, style: style)
                if w == 2 {
                    if c + 1 < size.cols { clearWideNeighbour(row, c + 1) }
                    cells[row][c + 1] = Cell(char: nil, style: style)
                }
            }
            c += w
        }
    }

    public func fill(_ row: Int, _ col: Int, width: Int, _ char: Character, _ style: Style) {
        guard row >= 0, row < size.rows, width > 0 else { return }
        let from = max(col, 0), to = min(col + width, size.cols)
        guard from < to else { return }
        for c in from..<to {
            clearWideNeighbour(row, c)
            cells[row][c] = Cell(char: char, style: style)
        }
    }

    /// Overwriting half of a wide character blanks its other half, as a terminal does.
    private func clearWideNeighbour(_ row: Int, _ col: Int) {
        if cells[row][col].char == nil, col > 0 {
            cells[row][col - 1].char = " "
        } else if col + 1 < size.cols, cells[row][col + 1].char == nil,
                  let ch = cells[row][col].char, TextWidth.width(of: ch) == 2 {
            cells[row][col + 1].char = " "
        }
    }

    /// Each row as text, full width (wide characters once).
    public var lines: [String] {
        cells.map { row in String(row.compactMap(\.char)) }
    }

    /// Each row as text without trailing blanks: what a script would print.
    public var trimmedLines: [String] {
        lines.map { line in
            var s = Substring(line)
            while s.last == " " { s = s.dropLast() }
            return String(s)
        }
    }

    /// The cell at a position.
    public func cell(_ row: Int, _ col: Int) -> Cell { cells[row][col] }

    /// The style of the cell at a position.
    public func style(_ row: Int, _ col: Int) -> Style { cells[row][col].style }

    /// The first row whose text contains `text`, if any.
    public func row(containing text: String) -> Int? {
        lines.firstIndex { $0.contains(text) }
    }
}

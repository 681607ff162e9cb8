import Terminal

/// A framed box centred over the view, for the form, the dialog and the help.
struct Box {
    let top: Int
    let left: Int
    let height: Int
    let width: Int

    /// A box of at most `height` × `width` inside the area between `areaTop` and `areaBottom`.
    init(size: Size, height: Int, width: Int, areaTop: Int, areaBottom: Int) {
        let w = min(width, size.cols)
        let h = min(height, max(areaBottom - areaTop, 3))
        self.width = w
        self.height = h
        left = max((size.cols - w) / 2, 0)
        top = max(areaTop + (areaBottom - areaTop - h) / 2, 0)
    }

    /// Rows available inside the frame.
    var innerHeight: Int { max(height - 2, 0) }
    var innerWidth: Int { max(width - 4, 0) }

    func draw(title: String, into canvas: Canvas) {
        guard width >= 4, height >= 2 else { return }
        let bar = String(repeating: "─", count: width - 2)
        canvas.put(top, left, "┌" + bar + "┐", .dialog)
        let t = TextWidth.truncate(" \(title) ", to: width - 4)
        canvas.put(top, left + 2, t, .dialog)
        for r in 1..<(height - 1) {
            canvas.put(top + r, left, "│", .dialog)
            canvas.fill(top + r, left + 1, width: width - 2, " ", .dialog)
            canvas.put(top + r, left + width - 1, "│", .dialog)
        }
        canvas.put(top + height - 1, left, "└" + bar + "┘", .dialog)
    }

    /// Writes one line inside the frame (line 0 is the first inside row).
    func line(_ i: Int, _ text: String, _ style: Style = .dialog, into canvas: Canvas) {
        guard i >= 0, i < innerHeight else { return }
        canvas.put(top + 1 + i, left + 2, text, width: innerWidth, style)
    }
}

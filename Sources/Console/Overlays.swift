import Terminal

/// The trigger form, the confirmation dialog and the help screen, drawn on top.
enum Overlays {
    static func drawTrigger(_ form: TriggerForm, knownTypes: Bool, into canvas: Canvas, top: Int, bottom: Int) {
        let size = canvas.size
        switch form.step {
        case .chooseJob:
            let box = Box(size: size, height: form.jobTypes.count + 4, width: 50, areaTop: top, areaBottom: bottom)
            box.draw(title: "Trigger: choose a job type", into: canvas)
            if form.jobTypes.isEmpty {
                box.line(0, knownTypes ? "no job types: no live worker serves any" : "loading job types…", into: canvas)
                return
            }
            // Keep the chosen one in the visible window.
            let rows = max(box.innerHeight - 1, 1)
            let first = max(0, min(form.jobIndex - rows + 1, form.jobTypes.count - rows))
            for (i, job) in form.jobTypes.enumerated().dropFirst(max(first, 0)).prefix(rows) {
                let params = job.params.map { $0.required ? $0.name + "*" : $0.name }.joined(separator: " ")
                let text = TextWidth.pad(job.name, to: 18) + " " + params
                box.line(i - first, text, i == form.jobIndex ? .selection : .dialog, into: canvas)
            }
            box.line(box.innerHeight - 1, "* required", .dialog, into: canvas)
        case .editParams(let job):
            // The parameters, then when to run it.
            let fields = job.params.map { p in (name: p.name + (p.required ? "*" : ""),
                                                hint: p.typeHint + (p.defaultValue.map { ", default \($0)" } ?? "")) }
                + [(name: "run at", hint: "now, a delay (15m) or a time with offset")]
            let box = Box(size: size, height: fields.count * 2 + 4, width: 64, areaTop: top, areaBottom: bottom)
            // A unique job type answers a request like an active one with that execution.
            let unique = job.unique.map { $0.isEmpty ? ", unique" : ", unique by " + $0.joined(separator: " ") } ?? ""
            box.draw(title: "Trigger \(job.name)\(unique)", into: canvas)
            let nameWidth = min(max(fields.map { TextWidth.width($0.name) }.max() ?? 4, 4) + 1, 16)
            let inputWidth = max(box.innerWidth - nameWidth - 2, 4)
            // Each field takes two lines: the input, then its type or its problem.
            let perField = 2
            let visible = max((box.innerHeight - 1) / perField, 1)
            let first = max(0, min(form.field - visible + 1, fields.count - visible))
            for (i, f) in fields.enumerated().dropFirst(first).prefix(visible) {
                let line = (i - first) * perField
                box.line(line, TextWidth.pad(f.name, to: nameWidth), .dialog, into: canvas)
                let value = form.values[i]
                // Show the end of a long value: that is where typing happens.
                let shownValue = TextWidth.width(value) >= inputWidth
                    ? String(value.suffix(inputWidth - 1)) : value
                let cursor = i == form.field ? "_" : ""
                canvas.put(box.top + 1 + line, box.left + 2 + nameWidth + 1,
                           TextWidth.pad(shownValue + cursor, to: inputWidth), i == form.field ? .input : .selection)
                box.line(line + 1, String(repeating: " ", count: nameWidth + 1) + (form.problems[i] ?? f.hint),
                         form.problems[i] == nil ? .dialog : .error, into: canvas)
            }
            box.line(box.innerHeight - 1, "Enter on the last field (or F2) runs it", .dialog, into: canvas)
        }
    }

    static func drawConfirm(_ dialog: ConfirmDialog, into canvas: Canvas, top: Int, bottom: Int) {
        let width = min(max(TextWidth.width(dialog.question) + 6, 40), canvas.size.cols)
        // A question wider than the screen is wrapped, not cut: its end names what is acted on.
        let lines = wrap(dialog.question, to: max(width - 4, 1))
        let box = Box(size: canvas.size, height: lines.count + 4, width: width, areaTop: top, areaBottom: bottom)
        box.draw(title: "Confirm", into: canvas)
        for (i, line) in lines.enumerated() { box.line(i, line, into: canvas) }
        box.line(lines.count + 1, "y: yes    n: no", into: canvas)
    }

    /// Words on lines of at most `width` cells; a word longer than a line is cut into pieces.
    static func wrap(_ text: String, to width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ").map(String.init) {
            var word = word
            while TextWidth.width(word) > width {
                if !line.isEmpty { lines.append(line); line = "" }
                let head = TextWidth.truncate(word, to: width)
                lines.append(head)
                word = String(word.dropFirst(head.count))
            }
            if line.isEmpty { line = word }
            else if TextWidth.width(line) + 1 + TextWidth.width(word) <= width { line += " " + word }
            else { lines.append(line); line = word }
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines
    }

    /// Every key batchtop reads, from the key tables: the views' keys, then each mode's.
    static var helpEntries: [(label: String, help: String)] {
        KeyBindings.main.map { ($0.label, $0.help) } + KeyBindings.modes.map { ($0.label, "\($0.mode): \($0.help)") }
    }

    static func drawHelp(into canvas: Canvas, top: Int, bottom: Int) {
        let entries = helpEntries
        let box = Box(size: canvas.size, height: entries.count + 4, width: 110, areaTop: top, areaBottom: bottom)
        box.draw(title: "batchtop keys", into: canvas)
        // Two columns when the box is too short for one.
        let rows = max(box.innerHeight - 1, 1)
        let twoColumns = entries.count > rows
        let colWidth = twoColumns ? box.innerWidth / 2 : box.innerWidth
        let labelWidth = min(entries.map { TextWidth.width($0.label) }.max() ?? 0, colWidth / 2) + 1
        for (i, e) in entries.enumerated() {
            let r = twoColumns ? i % rows : i
            let c = twoColumns && i >= rows ? colWidth : 0
            guard r < rows, !(twoColumns && i >= rows * 2) else { continue }
            let y = box.top + 1 + r, x = box.left + 2 + c
            canvas.put(y, x, TextWidth.truncate(e.label, to: labelWidth - 1), .functionKey)
            canvas.put(y, x + labelWidth, TextWidth.truncate(e.help, to: max(colWidth - labelWidth - 1, 1), ellipsis: true), .dialog)
        }
        box.line(box.innerHeight - 1, "Any key closes this help.", into: canvas)
    }
}

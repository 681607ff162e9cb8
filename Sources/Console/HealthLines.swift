import Foundation
import Terminal

/// The header's lines under the meters: what is wrong now (problems first, in the error
/// style), then the counts by state and the last hour's ends and failures per minute.
enum HealthLines {
    static func draw(_ snap: ConsoleSnapshot?, into canvas: Canvas, problemsRow: Int?, countsRow: Int?) {
        guard let snap else { return }
        let cols = canvas.size.cols
        if let row = problemsRow {
            let problems = Problems(snap)
            let text = problems.line(width: cols)
            if problems.isEmpty {
                canvas.put(row, 0, text, .dim)
            } else {
                canvas.put(row, 0, "PROBLEMS", .error)
                canvas.put(row, 10, String(text.dropFirst(10)), width: cols - 10, .stateFailed)
            }
        }
        guard let row = countsRow else { return }
        let counts = Problems.counts(snap.meters.countsByState)
        canvas.put(row, 0, counts, width: cols, .normal)
        for (col, label, line, style) in sparklines(snap.health, after: TextWidth.width(counts), cols: cols) {
            canvas.put(row, col, label, .meterLabel)
            canvas.put(row, col + TextWidth.width(label), line, style)
        }
    }

    /// Where the two sparklines go (right-aligned), each as wide as an hour's minutes or what is left.
    static func sparklines(_ h: ConsoleSnapshot.Health, after used: Int, cols: Int) -> [(Int, String, String, Style)] {
        let labels = ["ends/h ", "  failed/h "]
        let room = cols - used - 2 - labels.reduce(0) { $0 + $1.count } - 1
        let width = min(h.endsPerMinute.count, room / 2)
        guard width >= 10 else { return [] }
        let ends = Problems.sparkline(h.endsPerMinute, width: width)
        let fails = Problems.sparkline(h.failuresPerMinute, width: width)
        let start = cols - 1 - labels.reduce(0) { $0 + $1.count } - 2 * width
        return [(start, labels[0], ends, .meterBar),
                (start + labels[0].count + width, labels[1], fails, .stateFailed)]
    }
}

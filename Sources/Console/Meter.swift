import BatchCore
import Foundation
import Terminal

/// One header meter. Sampling (turning the snapshot's numbers into a value) is kept
/// apart from drawing, as htop's meters do.
struct Meter: Equatable {
    enum Kind: CaseIterable { case workers, running, success, queue, throughput, p95 }

    let kind: Kind
    /// Fill of the bar, 0...1; nil draws text only.
    var fraction: Double?
    var text: String
    var style: Style = .meterValue

    var label: String {
        switch kind {
        case .workers: return "Workers"
        case .running: return "Running"
        case .success: return "Success"
        case .queue: return "Queue"
        case .throughput: return "Done/s"
        case .p95: return "p95 run"
        }
    }

    static func sample(_ kind: Kind, _ m: ConsoleSnapshot.Meters?) -> Meter {
        guard let m else { return Meter(kind: kind, fraction: kind.hasBar ? 0 : nil, text: "…", style: .dim) }
        switch kind {
        case .workers:
            let f = m.workersKnown > 0 ? Double(m.workersUp) / Double(m.workersKnown) : 0
            // A lost worker is news: named in the header, in red, for as long as it is remembered.
            let lost = m.workersLost > 0 ? ", \(m.workersLost) lost" : ""
            return Meter(kind: kind, fraction: f, text: "\(m.workersUp)/\(m.workersKnown) up" + lost,
                         style: m.workersUp == 0 || m.workersLost > 0 ? .stateFailed : .meterValue)
        case .running:
            let f = m.slots > 0 ? Double(m.running) / Double(m.slots) : 0
            return Meter(kind: kind, fraction: min(f, 1), text: "\(m.running)/\(m.slots) slots")
        case .success:
            guard let r = m.successRate else { return Meter(kind: kind, fraction: 0, text: "-", style: .dim) }
            return Meter(kind: kind, fraction: r, text: Format.percent(r), style: r < 0.9 ? .stateFailed : .meterValue)
        case .queue:
            let counts = [stateCount(m, .retrying), stateCount(m, .failed)]
                .compactMap { $0 }.joined(separator: "  ")
            // Work waiting for its job type's rate tokens, by job type: why a queue does not move.
            let limited = m.rateLimited.isEmpty ? "" : "  rate-limited " + m.rateLimited.joined(separator: ", ")
            return Meter(kind: kind, fraction: nil, text: "\(m.queueDepth) queued" + (counts.isEmpty ? "" : "  " + counts) + limited)
        case .throughput:
            return Meter(kind: kind, fraction: nil, text: Format.rate(m.throughputPerSecond))
        case .p95:
            return Meter(kind: kind, fraction: nil, text: m.p95RunSeconds.map(Format.duration) ?? "-")
        }
    }

    /// Draws `Label [|||||     text]` (or `Label text`) in `width` cells.
    func draw(into canvas: Canvas, row: Int, col: Int, width: Int) {
        let labelWidth = 8
        canvas.put(row, col, label, width: min(labelWidth, width), .meterLabel)
        let rest = width - labelWidth
        guard rest > 2 else { return }
        guard let fraction else {
            canvas.put(row, col + labelWidth, text, width: rest, style)
            return
        }
        // htop's bar: brackets, bars for the share, the value right-aligned inside.
        let inner = rest - 2
        let valueText = TextWidth.truncate(text, to: inner)
        let filled = Int((min(max(fraction, 0), 1) * Double(inner)).rounded())
        canvas.put(row, col + labelWidth, "[", .normal)
        canvas.fill(row, col + labelWidth + 1, width: filled, "|", .meterBar)
        let valueCol = col + labelWidth + 1 + inner - TextWidth.width(valueText)
        canvas.put(row, valueCol, valueText, style == .meterValue ? .dim : style)
        canvas.put(row, col + labelWidth + 1 + inner, "]", .normal)
    }
}

extension Meter.Kind {
    var hasBar: Bool { self == .workers || self == .running || self == .success }
}

private func stateCount(_ m: ConsoleSnapshot.Meters, _ s: ExecutionState) -> String? {
    guard let n = m.countsByState[s], n > 0 else { return nil }
    return "\(n) \(s.rawValue)"
}

/// The header: three rows of meters in two columns, bars on the left.
enum MeterPanel {
    static let left: [Meter.Kind] = [.workers, .running, .success]
    static let right: [Meter.Kind] = [.queue, .throughput, .p95]

    static func draw(_ meters: ConsoleSnapshot.Meters?, into canvas: Canvas, rows: Int) {
        let cols = canvas.size.cols
        let half = cols / 2
        for r in 0..<min(rows, 3) {
            Meter.sample(left[r], meters).draw(into: canvas, row: r, col: 0, width: half - 1)
            Meter.sample(right[r], meters).draw(into: canvas, row: r, col: half + 1, width: cols - half - 1)
        }
    }
}

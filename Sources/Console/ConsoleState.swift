import BatchCore
import Foundation
import Terminal

/// Everything batchtop knows and shows, as a value: the latest data, the view, the
/// selection, what is open on top. Keys change it through `handle(_:)`, data through
/// the `apply` methods; `render` draws it. No terminal, clock or data source inside.
public struct ConsoleState: Sendable {
    /// What sits on top of the view and takes the keys first.
    public enum Overlay: Equatable, Sendable {
        case none
        case filtering
        case trigger(TriggerForm)
        case confirm(ConfirmDialog)
        case help
    }

    /// A line for the operator: the outcome of an action, or a hint.
    public struct Message: Equatable, Sendable {
        public var text: String
        public var isError: Bool
    }

    public internal(set) var view: ConsoleView { didSet { rebuildRows() } }
    /// The execution open in the detail view, if any.
    public internal(set) var openExecution: String?
    /// The full-screen log view of the open execution's output, when open.
    public internal(set) var logView: LogView?
    /// The executions tagged with Space: `c` and `r` in the list act on all of them.
    public internal(set) var tagged: Set<String> = []
    public internal(set) var overlay: Overlay = .none
    public internal(set) var snapshot: ConsoleSnapshot? { didSet { rebuildRows() } }
    public internal(set) var detail: ExecutionDetail?
    public internal(set) var jobTypes: [JobTypeInfo]?
    public internal(set) var filter = "" { didSet { rebuildRows() } }
    public internal(set) var message: Message?
    /// Why the last fetch failed; cleared by the next good one.
    public internal(set) var dataError: String?
    public internal(set) var size: Size
    public let timeZone: TimeZone
    /// `--read-only`: every action (trigger, cancel, retry, breakers, schedules) is refused with a message.
    public var readOnly = false

    var sorts: [ConsoleView: SortOrder] = [:] { didSet { rebuildRows() } }
    var selectedIndex: [ConsoleView: Int] = [:]
    var selectedID: [ConsoleView: String] = [:]
    var scroll: [ConsoleView: Int] = [:]
    /// Lines scrolled back from the end of the detail view's output.
    var outputScroll = 0
    /// Samples since the message was set.
    var messageAge = 0
    /// The current view's table and its filtered, sorted rows, rebuilt when the data,
    /// view, filter or sort change rather than on every key and frame.
    private(set) var table = Table(columns: [], rows: [])
    private(set) var visibleRows: [TableRow] = []

    public init(view: ConsoleView = .executions, size: Size, timeZone: TimeZone = .current) {
        self.view = view
        self.size = size
        self.timeZone = timeZone
        rebuildRows()
    }

    private mutating func rebuildRows() {
        let snap = snapshot ?? ConsoleSnapshot(takenAt: Date(timeIntervalSince1970: 0))
        table = Table.make(view, snap, zone: timeZone)
        visibleRows = table.visibleRows(filter: filter, sort: sort(of: view))
        pinSelection()
    }

    /// Ties the selection to a row's id, never to a screen row: once rows are shown the
    /// selected one is named, so rows arriving above it move the cursor along with it
    /// (and a `c` pressed a moment later still means the execution the operator saw).
    /// When the named row is gone, the row now at its place is named instead.
    mutating func pinSelection() {
        guard let i = selection(in: visibleRows) else { return }
        selectedIndex[view] = i
        selectedID[view] = visibleRows[i].id
    }

    /// A new filter shows its rows from the top, the first one selected.
    mutating func toTop() {
        selectedIndex[view] = 0
        selectedID[view] = visibleRows.first?.id
        scroll[view] = 0
    }

    // MARK: data in

    /// New data from a sample; clears a data error, ages the status message.
    public mutating func apply(snapshot: ConsoleSnapshot) {
        self.snapshot = snapshot
        dataError = nil
        // A message stays for a few samples, then the status line shows the time again.
        messageAge += 1
        if messageAge > 3 { message = nil }
    }

    /// A sample failed: the last data stays, the status line says why.
    public mutating func apply(dataError: String) { self.dataError = dataError }

    /// The open execution's detail; one for an execution no longer open is dropped.
    public mutating func apply(detail: ExecutionDetail) {
        guard detail.row.id == openExecution else { return }  // a late answer for one closed since
        self.detail = detail
    }

    /// The job types workers serve, for the trigger form (also when it is already open).
    public mutating func apply(jobTypes: [JobTypeInfo]) {
        self.jobTypes = jobTypes
        if case .trigger(var form) = overlay {
            form.update(jobTypes: jobTypes)
            overlay = .trigger(form)
        }
    }

    /// The outcome of an action the run loop performed.
    public mutating func report(_ text: String, isError: Bool = false) {
        message = Message(text: text, isError: isError)
        messageAge = 0
    }

    /// The screen's new size: pages and scrolling follow it.
    public mutating func resize(_ size: Size) { self.size = size }

    // MARK: derived

    var layout: Layout { Layout(size, view: view) }

    /// How a view is sorted now (each view keeps its own).
    public func sort(of view: ConsoleView) -> SortOrder { sorts[view] ?? view.defaultSort }

    /// The selected row's place among `rows`: where its id is now, else the old place.
    func selection(in rows: [TableRow]) -> Int? {
        guard !rows.isEmpty else { return nil }
        if let id = selectedID[view], let i = rows.firstIndex(where: { $0.id == id }) { return i }
        return min(max(selectedIndex[view] ?? 0, 0), rows.count - 1)
    }

    /// The first visible row for a selection, keeping the selection on screen.
    func firstRow(selection: Int, count: Int) -> Int {
        let h = layout.tableHeight
        var s = scroll[view] ?? 0
        if selection < s { s = selection }
        if selection >= s + h { s = selection - h + 1 }
        return max(0, min(s, max(count - h, 0)))
    }

    /// The id of the selected row in the current view.
    public var selectedRowID: String? {
        let rows = visibleRows
        return selection(in: rows).map { rows[$0].id }
    }

    /// The selected execution: in the detail view the open one, in the executions view the row.
    var targetExecution: ExecutionRow? {
        if let open = openExecution {
            return detail?.row ?? snapshot?.executions.first { $0.id == open }
        }
        guard view == .executions, let id = selectedRowID else { return nil }
        return snapshot?.executions.first { $0.id == id }
    }

    /// The selected worker, in the workers view (not under an open execution).
    var targetWorker: WorkerRow? {
        guard openExecution == nil, view == .workers, let id = selectedRowID else { return nil }
        return snapshot?.workers.first { $0.id == id }
    }

    /// The selected schedule, in the schedules view (not under an open execution).
    var targetSchedule: ScheduleRow? {
        guard openExecution == nil, view == .schedules, let id = selectedRowID else { return nil }
        return snapshot?.schedules.first { $0.name == id }
    }
}

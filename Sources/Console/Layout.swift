import Terminal

/// Where each part of the screen goes for a size: meters on top, the view's tab line
/// and column titles, the table, a status line and the function bar at the bottom.
struct Layout: Equatable {
    let size: Size
    /// Rows of meters (none on a very short screen).
    let meterRows: Int
    /// The problems line under the meters, and the line of counts and sparklines (taller screens).
    let problemsRow: Int?
    let countsRow: Int?
    let tabRow: Int
    let titleRow: Int
    let tableTop: Int
    let tableHeight: Int
    /// The line under the table for the selected worker's breakers (workers view only).
    let infoRow: Int?
    let statusRow: Int
    let functionRow: Int

    init(_ size: Size, view: ConsoleView) {
        self.size = size
        meterRows = size.rows >= 14 ? 3 : 0
        problemsRow = meterRows > 0 ? meterRows : nil
        countsRow = meterRows > 0 && size.rows >= 20 ? meterRows + 1 : nil
        tabRow = meterRows + (problemsRow == nil ? 0 : 1) + (countsRow == nil ? 0 : 1)
        titleRow = tabRow + 1
        tableTop = titleRow + 1
        functionRow = size.rows - 1
        statusRow = size.rows - 2
        infoRow = view == .workers && size.rows >= 14 ? statusRow - 1 : nil
        tableHeight = max((infoRow ?? statusRow) - tableTop, 1)
    }
}

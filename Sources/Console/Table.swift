import BatchCore
import Foundation
import Terminal

/// A value to sort a column by.
enum SortKey: Comparable, Sendable {
    case missing
    case number(Double)
    case text(String)

    static func < (a: SortKey, b: SortKey) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x < y
        case (.text(let x), .text(let y)): return x.localizedStandardCompare(y) == .orderedAscending
        case (.missing, .missing): return false
        case (.missing, _): return true
        case (_, .missing): return false
        case (.number, .text): return true
        case (.text, .number): return false
        }
    }
}

/// What a cell holds: text, or a progress bar drawn to the column's width.
enum CellContent: Equatable, Sendable {
    case text(String)
    /// An execution id, cut from the front when narrow.
    case id(String)
    case progress(Int?)
}

/// One column of a view's table.
struct Column: Sendable {
    var title: String
    /// Width when there is room.
    var width: Int
    /// Narrowest it may get before columns are dropped.
    var minWidth: Int
    var rightAligned = false
    /// Shrink order: higher gives way first.
    var shrinkPriority = 0
    /// Sorting by this column starts descending (times, counts).
    var descendingFirst = false
    /// Takes the room left over on wide screens (up to `maxWidth`).
    var grows = false
    /// The most a growing column takes; room beyond it stays blank at the right.
    var maxWidth = Int.max
    /// May disappear on narrow screens.
    var droppable = false
}

/// One row of a view's table, made uniform so that filtering, sorting, selection
/// and drawing are written once for all four views.
struct TableRow: Equatable, Sendable {
    var id: String
    var cells: [CellContent]
    /// The role of the whole row when not selected (a state colour) per column; nil is normal.
    var styles: [Style?]
    var sortKeys: [SortKey]
    /// Lower-cased text the `/` filter searches.
    var searchText: String
    /// The execution Enter opens from this row, if the row names one.
    var execution: String? = nil
}

/// A view's table: columns and rows, before filtering and sorting.
struct Table: Sendable {
    var columns: [Column]
    var rows: [TableRow]

    /// The rows that contain every word of `filter` (case-insensitive, in any order:
    /// `failed lost` is a failed row that mentions lost), sorted by column `sort`.
    func visibleRows(filter: String, sort: SortOrder) -> [TableRow] {
        // The words of a search (`ExecutionQuery`): a phrase in quotes is one; `job:etl` or
        // `since:1h` were applied by the store's search, and the rest match the row's text.
        let words = ExecutionQuery.words(filter.lowercased()).filter { !ExecutionQuery.isKeyWord($0) }
        var out = words.isEmpty ? rows : rows.filter { row in words.allSatisfy { row.searchText.contains($0) } }
        let c = min(max(sort.column, 0), columns.count - 1)
        guard c >= 0 else { return out }
        // Stable on ties (by id) so rows do not jump between refreshes.
        out.sort { a, b in
            let ka = a.sortKeys[c], kb = b.sortKeys[c]
            if ka != kb { return sort.descending ? kb < ka : ka < kb }
            return sort.descending ? b.id < a.id : a.id < b.id
        }
        return out
    }

    /// Cells the table needs with every column at its preferred width.
    var naturalWidth: Int { columns.reduce(0) { $0 + $1.width } + max(columns.count - 1, 0) }

    /// Column widths for `cols` cells, one blank between columns. When too wide,
    /// columns give way in shrink order: each shrinks to its minimum, and a droppable
    /// one goes if that was not enough; room left over goes to the growing column.
    func widths(for cols: Int) -> [Int] {
        var w = columns.map(\.width)
        func total() -> Int {
            let shown = w.filter { $0 > 0 }
            return shown.reduce(0, +) + max(shown.count - 1, 0)
        }
        let order = columns.indices.sorted { columns[$0].shrinkPriority > columns[$1].shrinkPriority }
        for i in order where total() > cols {
            w[i] = max(columns[i].minWidth, w[i] - (total() - cols))
            if total() > cols && columns[i].droppable { w[i] = 0 }
        }
        var growers = columns.indices.filter { columns[$0].grows && w[$0] > 0 }
        if growers.isEmpty, let last = w.lastIndex(where: { $0 > 0 }) { growers = [last] }
        for g in growers where total() < cols {
            w[g] += min(cols - total(), max(columns[g].maxWidth - w[g], 0))
        }
        return w
    }
}

/// Which column a view is sorted by, and which way.
public struct SortOrder: Equatable, Sendable {
    public var column: Int
    public var descending: Bool
    public init(column: Int, descending: Bool) { self.column = column; self.descending = descending }
}

import QueryLanguage
import Store

/// Turns a pivot's long result (group fields…, value, n) into the table people read: rows are
/// every group field but the last, columns are the values of the last one, each cell
/// "mean (n=k)", the mean in its metric's format (accuracy: 3 decimals). Machine formats (csv,
/// json) keep the long form, which is tidy data. `valueColumns` are the columns of means, to be
/// aligned like numbers although they are text; `note` says what the cells leave out.
enum PivotShaper {
    static func shape(_ long: ResultTable, metric: PivotMetric, mode: OutputMode)
        -> (table: ResultTable, valueColumns: Set<Int>, note: String?) {
        let groupCount = long.columns.count - 2
        var columns = long.columns
        columns[groupCount] = metric.rawValue
        if mode == .csv || mode == .json || groupCount < 2 {
            // Long form. With one grouping field it is already the natural table.
            let rows = metric == .count ? long.rows.map { Array($0.prefix(groupCount + 1)) } : long.rows
            return (ResultTable(columns: metric == .count ? Array(columns.prefix(groupCount + 1)) : columns, rows: rows), [], nil)
        }
        // Keep the SQL order (canonical method order, models by size) for rows and columns.
        var rowKeys: [[StoreValue]] = []
        var columnKeys: [StoreValue] = []
        var cells: [[StoreValue]: [StoreValue: (StoreValue, StoreValue)]] = [:]
        for r in long.rows {
            let rowKey = Array(r.prefix(groupCount - 1))
            let colKey = r[groupCount - 1]
            if cells[rowKey] == nil { rowKeys.append(rowKey); cells[rowKey] = [:] }
            if !columnKeys.contains(colKey) { columnKeys.append(colKey) }
            cells[rowKey]![colKey] = (r[groupCount], r[groupCount + 1])
        }
        let header = Array(long.columns.prefix(groupCount - 1)) + columnKeys.map(CellFormatting.display)
        let format = ColumnFormat.rule(forField: metric.rawValue) ?? .general
        // A paper's table has no room for "(n=2)" in every cell: in latex mode, when every cell
        // rests on the same number of runs, it is said once, in `note`.
        let counts = Set(cells.values.flatMap { $0.values.map { CellFormatting.display($0.1) } })
        let sameN = mode == .latex && metric != .count && counts.count == 1 ? counts.first : nil
        let rows: [[StoreValue]] = rowKeys.map { key in
            key + columnKeys.map { col in
                guard let (value, n) = cells[key]?[col] else { return .null }
                if metric == .count { return value }
                if sameN != nil { return .text(format.text(value)) }
                return .text("\(format.text(value)) (n=\(CellFormatting.display(n)))")
            }
        }
        return (ResultTable(columns: header, rows: rows), Set((groupCount - 1)..<header.count),
                sameN.map { "every cell: mean \(metric.rawValue) over n = \($0) runs" })
    }
}

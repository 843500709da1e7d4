import Reports
import Store

/// `.mode latex`: a result as a `booktabs` tabular a paper can `\input`. Numbers are formatted by
/// column (`ColumnFormat`: the same decimals on every row), right-aligned, with a real minus;
/// text is escaped; NULL is an en dash. The statement that made the table heads it as a comment,
/// so a table in a paper can be traced back to its query.
enum LaTeXTableRenderer {
    static func render(_ columns: [String], _ rows: [[StoreValue]], numeric: [Bool], headers: Bool, statement: String?) -> String {
        let texts = ColumnFormat.cells(columns, rows)
        var table = LaTeXTabular(columns: numeric.map { $0 ? "r" : "l" },
                                 header: headers ? columns.map(LaTeXText.escape) : nil)
        for (row, cells) in zip(rows, texts) {
            table.rows.append(.cells(zip(row, cells).map { value, text in
                switch value {
                case .null: return "--"
                case .integer, .real: return LaTeXText.number(text)
                default: return LaTeXText.escape(text)
                }
            }))
        }
        var out = table.rendered(statement: statement)
        if rows.isEmpty { out += "% (no rows)\n" }
        return out
    }
}

import Engine
import Foundation
import Store

/// Renders a `ResultTable` in one of the output modes. The modes people read (table, markdown,
/// latex, line) format numbers by column (`ColumnFormat`); csv and json keep the raw values.
public enum TableRenderer {
    /// `statement` heads a LaTeX table as a comment. `rightAligned` names columns to align like
    /// numbers although they hold text (a pivot's "0.125 (n=2)" cells).
    public static func render(_ table: ResultTable, options: RenderOptions, statement: String? = nil,
                              rightAligned: Set<Int> = []) -> String {
        let shown = options.maxRows > 0 ? Array(table.rows.prefix(options.maxRows)) : table.rows
        let hidden = table.rows.count - shown.count
        var numeric = numericColumns(table.columns.count, shown)
        for i in rightAligned where i < numeric.count { numeric[i] = true }
        var text: String
        switch options.mode {
        case .table: text = aligned(table.columns, shown, numeric: numeric, options: options)
        case .markdown: text = markdown(table.columns, shown, numeric: numeric, options: options)
        case .latex: text = LaTeXTableRenderer.render(table.columns, shown, numeric: numeric, headers: options.headers, statement: statement)
        case .csv: text = csv(table.columns, shown, headers: options.headers)
        case .json: text = json(table.columns, shown)
        case .line: text = lines(table.columns, shown)
        }
        if hidden > 0 {
            let note = "… \(hidden) more row\(hidden == 1 ? "" : "s") (.maxrows \(options.maxRows))\n"
            switch options.mode {
            case .table, .markdown, .line: text += note
            case .latex: text += "% " + note   // a comment: the table stays compilable
            case .csv, .json: break
            }
        }
        return text
    }

    // MARK: table

    static func aligned(_ columns: [String], _ rows: [[StoreValue]], numeric: [Bool], options: RenderOptions) -> String {
        let cells = ColumnFormat.cells(columns, rows)
        let widths = columnWidths(columns, cells, headers: options.headers, separator: 2, limit: options.width)
        var out = ""
        func emit(_ row: [String]) {
            var parts: [String] = []
            for (i, cell) in row.enumerated() {
                let c = CellFormatting.truncate(cell, to: widths[i])
                let pad = String(repeating: " ", count: max(0, widths[i] - c.count))
                let isLast = i == row.count - 1
                parts.append(numeric[i] ? pad + c : (isLast ? c : c + pad))
            }
            out += parts.joined(separator: "  ") + "\n"
        }
        if options.headers {
            emit(columns)
            emit(widths.map { String(repeating: "─", count: $0) })
        }
        cells.forEach(emit)
        if rows.isEmpty { out += "(no rows)\n" }
        return out
    }

    // MARK: markdown

    static func markdown(_ columns: [String], _ rows: [[StoreValue]], numeric: [Bool], options: RenderOptions) -> String {
        func escape(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
        let cells = ColumnFormat.cells(columns, rows).map { $0.map(escape) }
        let header = columns.map(escape)
        let widths = columnWidths(header, cells, headers: true, separator: 3, limit: options.width)
            .map { max($0, 3) }
        func pad(_ s: String, _ i: Int) -> String {
            let c = CellFormatting.truncate(s, to: widths[i])
            let p = String(repeating: " ", count: max(0, widths[i] - c.count))
            return numeric[i] ? p + c : c + p
        }
        var out = "| " + header.enumerated().map { pad($1, $0) }.joined(separator: " | ") + " |\n"
        out += "|" + widths.enumerated().map { i, w in
            numeric[i] ? " " + String(repeating: "-", count: w - 1) + ": " : " " + String(repeating: "-", count: w) + " "
        }.joined(separator: "|") + "|\n"
        for row in cells {
            out += "| " + row.enumerated().map { pad($1, $0) }.joined(separator: " | ") + " |\n"
        }
        return out
    }

    // MARK: csv (RFC 4180)

    static func csv(_ columns: [String], _ rows: [[StoreValue]], headers: Bool) -> String {
        func field(_ s: String) -> String {
            if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || s.hasPrefix(" ") || s.hasSuffix(" ") {
                return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return s
        }
        var out = ""
        if headers { out += columns.map(field).joined(separator: ",") + "\r\n" }
        for row in rows { out += row.map { field(CellFormatting.exact($0)) }.joined(separator: ",") + "\r\n" }
        return out
    }

    // MARK: json (an array of objects, one per row)

    static func json(_ columns: [String], _ rows: [[StoreValue]]) -> String {
        var out = "["
        for (r, row) in rows.enumerated() {
            out += r == 0 ? "\n  {" : ",\n  {"
            for (i, v) in row.enumerated() {
                out += (i == 0 ? "" : ", ") + jsonString(columns[i]) + ": " + jsonValue(v)
            }
            out += "}"
        }
        return out + (rows.isEmpty ? "]\n" : "\n]\n")
    }

    static func jsonValue(_ v: StoreValue) -> String {
        switch v {
        case .null: return "null"
        case .integer(let i): return String(i)
        case .real(let d): return d.isFinite ? CellFormatting.exactReal(d) : "null"
        case .text(let s): return jsonString(s)
        case .blob: return jsonString(CellFormatting.exact(v))
        }
    }

    static func jsonString(_ s: String) -> String { JSONText.quote(s) }

    // MARK: line (one `column = value` per line, a blank line between rows)

    /// Numbers by their field's rule (`seconds = 26.3`); text whole, newlines and all.
    static func lines(_ columns: [String], _ rows: [[StoreValue]]) -> String {
        let w = columns.map(\.count).max() ?? 0
        return rows.map { row in
            row.enumerated().map { i, v in
                let text = CellFormatting.isNumeric(v) ? ColumnFormat.of(column: columns[i], values: [v]).text(v) : CellFormatting.exact(v)
                return String(repeating: " ", count: w - columns[i].count) + columns[i] + " = " + text
            }.joined(separator: "\n") + "\n"
        }.joined(separator: "\n")
    }

    // MARK: widths

    static func numericColumns(_ count: Int, _ rows: [[StoreValue]]) -> [Bool] {
        (0..<count).map { i in
            let values = rows.map { $0[i] }.filter { if case .null = $0 { return false }; return true }
            return !values.isEmpty && values.allSatisfy(CellFormatting.isNumeric)
        }
    }

    /// Natural widths, then, if the row is wider than `limit`, the widest columns give way first
    /// (never below 8 characters), so short columns such as ids and numbers stay whole.
    static func columnWidths(_ columns: [String], _ cells: [[String]], headers: Bool, separator: Int, limit: Int?) -> [Int] {
        var widths = columns.map { headers ? $0.count : 0 }
        for row in cells { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
        guard let limit else { return widths }
        let budget = limit - separator * max(0, widths.count - 1)
        while widths.reduce(0, +) > budget {
            guard let i = widths.indices.max(by: { widths[$0] < widths[$1] }), widths[i] > 8 else { break }
            let others = widths.reduce(0, +) - widths[i]
            widths[i] = max(8, min(widths[i] - 1, budget - others))
        }
        return widths
    }
}

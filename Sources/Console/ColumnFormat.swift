import Foundation
import Store

/// How the numbers of one column print in the tables people read (table, markdown, latex, line):
/// one rule per kind of field, so a column never mixes `0`, `0.0156` and `0.015625`. Machine
/// formats (csv, json) keep the raw values (`CellFormatting.exact`).
///
/// Known fields have a fixed number of decimals: accuracy 3 (a 1,319-question test moves in steps
/// of 0.00076; a fourth decimal is noise), seconds 1, loss 4 (training curves differ in the third
/// decimal), grad_norm 3. Any other column of reals gets the decimals its most precise value
/// needs (at most four), for every row alike; a column holding a tiny or huge value (learning
/// rates) keeps the compact scientific notation of `CellFormatting.displayReal`.
enum ColumnFormat: Equatable {
    /// A known field's decimals, for every number in it (seconds = 26 prints 26.0).
    case field(Int)
    /// Decimals inferred from the column's reals; its integers (ids, counts) stay integers.
    case decimals(Int)
    /// Tiny or huge values: each as `CellFormatting.displayReal` writes it.
    case general

    /// The rule for a field by name (a pivot's value column is named by its metric).
    static func rule(forField name: String) -> ColumnFormat? {
        switch name.lowercased() {
        case "accuracy": return .field(3)
        case "seconds": return .field(1)
        case "loss": return .field(4)
        case "grad_norm": return .field(3)
        default: return nil
        }
    }

    /// The format of a column: its field's rule, else what its values need.
    static func of(column name: String, values: [StoreValue]) -> ColumnFormat {
        if let rule = rule(forField: name) { return rule }
        var decimals = 0
        for v in values {
            guard case .real(let d) = v, d.isFinite, d != 0 else { continue }
            let a = abs(d)
            if a < 1e-3 || a >= 1e7 { return .general }
            let text = CellFormatting.displayReal(d)
            if let dot = text.firstIndex(of: ".") { decimals = max(decimals, text.distance(from: dot, to: text.endIndex) - 1) }
        }
        return .decimals(decimals)
    }

    /// The text of one cell under this format; non-numbers as `CellFormatting.display`.
    func text(_ v: StoreValue) -> String {
        switch (self, v) {
        case (.field(let digits), .real(let d)) where d.isFinite, (.decimals(let digits), .real(let d)) where d.isFinite:
            return Self.fixed(d, digits)
        case (.field(let digits), .integer(let i)):
            return Self.fixed(Double(i), digits)
        default:
            return CellFormatting.display(v)
        }
    }

    static func fixed(_ d: Double, _ digits: Int) -> String {
        let s = String(format: "%.\(digits)f", d)
        // "-0.000" reads as a negative number that is not there.
        return s.hasPrefix("-") && Double(s) == 0 ? String(s.dropFirst()) : s
    }

    /// Every cell of a result as text, column by column.
    static func cells(_ columns: [String], _ rows: [[StoreValue]]) -> [[String]] {
        let formats = columns.indices.map { i in of(column: columns[i], values: rows.map { $0[i] }) }
        return rows.map { row in row.enumerated().map { formats[$0.offset].text($0.element) } }
    }
}

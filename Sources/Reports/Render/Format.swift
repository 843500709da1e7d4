import Foundation

/// Number and text formatting shared by every renderer, so a value reads the same in the
/// Markdown, the CSV and the terminal. All output is locale-free (`%` formats with a `.`).
public enum Format {
    /// "0.125"; NaN prints as "n/a" rather than "nan".
    public static func fixed(_ x: Double, _ digits: Int = 3) -> String {
        x.isFinite ? String(format: "%.\(digits)f", x) : "n/a"
    }

    /// "+0.125" / "-0.125" / "+0.000": a Δ always shows its sign.
    public static func signed(_ x: Double, _ digits: Int = 3) -> String {
        guard x.isFinite else { return "n/a" }
        let text = String(format: "%.\(digits)f", abs(x))
        let isZero = Double(text) == 0
        return (x < 0 && !isZero ? "-" : "+") + text
    }

    public static func interval(_ i: Interval, signed: Bool = false, _ digits: Int = 3) -> String {
        let f: (Double) -> String = { signed ? Format.signed($0, digits) : Format.fixed($0, digits) }
        return "[\(f(i.lower)), \(f(i.upper))]"
    }

    /// Three significant digits for p ≥ 0.001, "<0.001" below (a tiny p is not more meaningful
    /// for being printed to 26 places).
    public static func pValue(_ p: Double) -> String {
        p < 0.001 ? "<0.001" : String(format: "%.3f", p)
    }

    /// "135M", "1.7B", "494M": parameter counts as people say them.
    public static func params(_ p: Int64) -> String { params(Double(p)) }

    public static func params(_ p: Double) -> String {
        switch p {
        case 1e9...: return trimmed(p / 1e9) + "B"
        case 1e6...: return trimmed(p / 1e6) + "M"
        case 1e3...: return trimmed(p / 1e3) + "K"
        default: return String(format: "%.0f", p)
        }
    }

    /// Up to three significant digits, no trailing zeros: 134.5 → "135", 1.70 → "1.7".
    private static func trimmed(_ x: Double) -> String {
        let digits = x >= 100 ? 0 : x >= 10 ? 1 : 2
        var s = String(format: "%.\(digits)f", x)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }

    /// One line, at most `limit` characters, with "…" when cut.
    public static func oneLine(_ text: String, limit: Int) -> String {
        let flat = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
        return flat.count <= limit ? flat : String(flat.prefix(max(0, limit - 1))) + "…"
    }

    /// A Markdown table cell: one line, `|` escaped so it cannot end the cell.
    public static func cell(_ text: String, limit: Int = 80) -> String {
        oneLine(text, limit: limit).replacingOccurrences(of: "|", with: "\\|")
    }
}

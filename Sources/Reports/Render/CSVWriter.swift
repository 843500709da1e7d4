/// RFC 4180 CSV: comma-separated, CRLF-free (Unix newlines, as the rest of ftlab prints),
/// fields quoted only when they hold a comma, quote or newline.
enum CSVWriter {
    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func render(header: [String], rows: [[String]]) -> String {
        ([header] + rows).map { $0.map(field).joined(separator: ",") + "\n" }.joined()
    }

    /// Ten significant digits, empty for a missing value: far beyond what n examples can resolve,
    /// and free of binary noise such as 0.049999999999999996 for a mean of −0.05 and 0.15.
    static func number(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "" }
        return String(format: "%.10g", x)
    }
}

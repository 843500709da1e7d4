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

    /// Full precision for machines: shortest round-trip text, empty for a missing value.
    static func number(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "" }
        return "\(x)"
    }
}

/// Text for LaTeX: every character a table cell or caption may hold, made safe for pdflatex with
/// nothing but the LaTeX kernel (a fragment is `\input` into papers whose preamble we do not know).
public enum LaTeXText {
    /// Escapes the ten special characters (`\ { } _ % & # $ ~ ^`), writes `< > |` as text-font
    /// commands (in the OT1 encoding they would print as ¡ ¿ —), and maps the non-ASCII characters
    /// ftlab itself prints (Δ, ±, —, …) to their commands. Latin-1 letters pass through: the
    /// kernel's UTF-8 input handles them. Any other character becomes `?` — pdflatex would stop
    /// at it ("not set up for use with LaTeX"), and one wrong glyph beats a table that fails.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if let replacement = replacements[scalar] {
                out += replacement
            } else if scalar.value < 0x80 {
                out.unicodeScalars.append(scalar.value < 0x20 ? " " : scalar)
            } else if scalar.value >= 0xA0 && scalar.value <= 0xFF {
                out.unicodeScalars.append(scalar)
            } else {
                out += "?"
            }
        }
        return out
    }

    private static let replacements: [Unicode.Scalar: String] = [
        "\\": "\\textbackslash{}", "{": "\\{", "}": "\\}", "_": "\\_", "%": "\\%", "&": "\\&",
        "#": "\\#", "$": "\\$", "~": "\\textasciitilde{}", "^": "\\textasciicircum{}",
        "<": "\\textless{}", ">": "\\textgreater{}", "|": "\\textbar{}",
        "\n": " ", "\r": " ", "\t": " ",
        "\u{A0}": "~", "\u{AD}": "",
        "Δ": "$\\Delta$", "±": "$\\pm$", "×": "$\\times$", "−": "$-$", "≈": "$\\approx$",
        "≤": "$\\leq$", "≥": "$\\geq$", "→": "$\\rightarrow$", "↵": "$\\hookleftarrow$",
        "—": "---", "–": "--", "…": "\\ldots{}", "·": "$\\cdot$", "√": "$\\surd$",
        "‘": "`", "’": "'", "“": "``", "”": "''", "α": "$\\alpha$", "σ": "$\\sigma$",
    ]

    /// A number already formatted as text ("-0.125", "+0.030", "<0.001"): the sign in math mode,
    /// so a minus is a minus and not a hyphen, the digits in the text font.
    public static func number(_ formatted: String) -> String {
        guard let first = formatted.first, "-+<>".contains(first) else { return escape(formatted) }
        let sign = first == "-" ? "-" : String(first)
        return "$\(sign)$" + escape(String(formatted.dropFirst()))
    }

    /// A `%` comment line; a statement with a newline stays one comment.
    public static func comment(_ text: String) -> String {
        "% " + text.split(whereSeparator: \.isNewline).joined(separator: " ") + "\n"
    }
}

/// A minimal SVG writer: elements appended as text, attributes escaped. Plots are written by hand
/// (no plotting library on Linux, and hand-written XML keeps the output byte-for-byte stable).
struct SVGDocument {
    let width: Double
    let height: Double
    private var body: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    /// Coordinates with two decimals: sub-pixel enough, and stable text.
    static func n(_ x: Double) -> String {
        let s = String(format: "%.2f", x)
        return s.hasSuffix(".00") ? String(s.dropLast(3)) : s
    }

    private static func attributes(_ attrs: KeyValuePairs<String, String>) -> String {
        attrs.map { " \($0.key)=\"\(escape($0.value))\"" }.joined()
    }

    mutating func raw(_ text: String) { body.append(text) }

    mutating func open(_ tag: String, _ attrs: KeyValuePairs<String, String> = [:]) {
        body.append("<\(tag)\(Self.attributes(attrs))>")
    }

    mutating func close(_ tag: String) { body.append("</\(tag)>") }

    mutating func element(_ tag: String, _ attrs: KeyValuePairs<String, String>) {
        body.append("<\(tag)\(Self.attributes(attrs))/>")
    }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "#000",
                       width: Double = 1, dash: String? = nil, cssClass: String? = nil) {
        var text = "<line x1=\"\(Self.n(x1))\" y1=\"\(Self.n(y1))\" x2=\"\(Self.n(x2))\" y2=\"\(Self.n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\""
        if let dash { text += " stroke-dasharray=\"\(dash)\"" }
        if let cssClass { text += " class=\"\(cssClass)\"" }
        body.append(text + "/>")
    }

    /// `anchor`: start | middle | end. `rotate` turns the text about its anchor point (y-axis label).
    mutating func text(_ s: String, x: Double, y: Double, anchor: String = "middle", size: Double = 12,
                       weight: String? = nil, cssClass: String? = nil, rotate: Double? = nil) {
        // A rotated label is drawn at the origin of a translated, rotated group: renderers that
        // ignore rotate(angle cx cy) on <text> (ImageMagick's own) still place it right.
        let (tx, ty) = rotate == nil ? (x, y) : (0, 0)
        var text = "<text x=\"\(Self.n(tx))\" y=\"\(Self.n(ty))\" text-anchor=\"\(anchor)\" font-size=\"\(Self.n(size))\""
        if let weight { text += " font-weight=\"\(weight)\"" }
        if let cssClass { text += " class=\"\(cssClass)\"" }
        text += ">\(Self.escape(s))</text>"
        if let rotate {
            text = "<g transform=\"translate(\(Self.n(x)) \(Self.n(y))) rotate(\(Self.n(rotate)))\">" + text + "</g>"
        }
        body.append(text)
    }

    /// A vertical error bar from `low` to `high` (pixel y) with caps, as one group.
    mutating func errorBar(x: Double, low: Double, high: Double, color: String, cap: Double = 4, label: String) {
        open("g", ["class": "error-bar", "data-label": label])
        line(x, low, x, high, stroke: color, width: 1.5)
        line(x - cap, low, x + cap, low, stroke: color, width: 1.5)
        line(x - cap, high, x + cap, high, stroke: color, width: 1.5)
        close("g")
    }

    func rendered() -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.n(width))\" height=\"\(Self.n(height))\" "
        out += "viewBox=\"0 0 \(Self.n(width)) \(Self.n(height))\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
        out += "<rect x=\"0\" y=\"0\" width=\"\(Self.n(width))\" height=\"\(Self.n(height))\" fill=\"#ffffff\" stroke=\"none\"/>\n"
        out += body.joined(separator: "\n")
        return out + "\n</svg>\n"
    }
}

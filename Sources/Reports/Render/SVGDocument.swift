/// Writes a `PlotCanvas` as SVG text, attributes escaped. Plots are written by hand (no plotting
/// library on Linux, and hand-written XML keeps the output byte-for-byte stable).
enum SVGDocument {
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

    /// Sizes with no trailing zeros ("3.5", "4").
    static func short(_ x: Double) -> String {
        var s = n(x)
        if s.contains(".") { while s.hasSuffix("0") { s.removeLast() } }
        return s
    }

    static func dash(_ pattern: [Double]) -> String { pattern.map(short).joined(separator: " ") }

    private static func attributes(_ attrs: [(String, String)]) -> String {
        attrs.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
    }

    static func render(_ canvas: PlotCanvas) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(canvas.width))\" height=\"\(n(canvas.height))\" "
        out += "viewBox=\"0 0 \(n(canvas.width)) \(n(canvas.height))\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
        out += "<rect x=\"0\" y=\"0\" width=\"\(n(canvas.width))\" height=\"\(n(canvas.height))\" fill=\"#ffffff\" stroke=\"none\"/>\n"
        out += canvas.shapes.map(element).joined(separator: "\n")
        return out + "\n</svg>\n"
    }

    static func element(_ shape: PlotCanvas.Shape) -> String {
        switch shape {
        case .beginGroup(let attrs):
            return "<g\(attributes(attrs))>"
        case .endGroup:
            return "</g>"
        case let .line(x1, y1, x2, y2, stroke, width, dash, cssClass):
            var text = "<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\""
            if let dash { text += " stroke-dasharray=\"\(Self.dash(dash))\"" }
            if let cssClass { text += " class=\"\(cssClass)\"" }
            return text + "/>"
        case let .rect(x, y, width, height, fill, stroke, fillOpacity):
            var attrs = [("x", n(x)), ("y", n(y)), ("width", n(width)), ("height", n(height)), ("fill", fill ?? "none")]
            if let stroke { attrs.append(("stroke", stroke)) }
            if let fillOpacity { attrs.append(("fill-opacity", short(fillOpacity))) }
            return "<rect\(attributes(attrs))/>"
        case let .circle(cx, cy, r, fill, stroke, strokeWidth):
            var attrs = [("cx", n(cx)), ("cy", n(cy)), ("r", short(r)), ("fill", fill)]
            if let stroke { attrs.append(("stroke", stroke)) }
            if let strokeWidth { attrs.append(("stroke-width", short(strokeWidth))) }
            return "<circle\(attributes(attrs))/>"
        case let .polyline(points, stroke, width, dash):
            let path = points.map { "\(n($0.x)),\(n($0.y))" }.joined(separator: " ")
            var attrs = "points=\"\(path)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(short(width))\""
            if let dash { attrs += " stroke-dasharray=\"\(Self.dash(dash))\"" }
            return "<polyline \(attrs)/>"
        case let .text(s, x, y, anchor, size, bold, cssClass, rotate):
            // A rotated label is drawn at the origin of a translated, rotated group: renderers that
            // ignore rotate(angle cx cy) on <text> (ImageMagick's own) still place it right.
            let (tx, ty) = rotate == nil ? (x, y) : (0, 0)
            var text = "<text x=\"\(n(tx))\" y=\"\(n(ty))\" text-anchor=\"\(anchor.rawValue)\" font-size=\"\(n(size))\""
            if bold { text += " font-weight=\"bold\"" }
            if let cssClass { text += " class=\"\(cssClass)\"" }
            text += ">\(escape(s))</text>"
            if let rotate {
                text = "<g transform=\"translate(\(n(x)) \(n(y))) rotate(\(n(rotate)))\">" + text + "</g>"
            }
            return text
        }
    }
}

import Foundation

/// Writes a `PlotCanvas` as a one-page vector PDF: the page is the canvas (one point per SVG
/// pixel), lines and rectangles are paths, circles four Bézier arcs, text Helvetica. PDF's y
/// axis points up, so every y becomes `height − y`.
enum PDFPlot {
    static func render(_ canvas: PlotCanvas, title: String) -> String {
        var pdf = PDFDocument()
        let catalog = pdf.reserve()
        let pages = pdf.reserve()
        var fonts: [String] = []
        for face in PDFFonts.Face.allCases {
            // Symbol has its own built-in encoding; the Latin faces use WinAnsi (é, —, ±, …).
            let encoding = face == .symbol ? "" : " /Encoding /WinAnsiEncoding"
            let font = pdf.add("<< /Type /Font /Subtype /Type1 /BaseFont /\(face.baseFont)\(encoding) >>")
            fonts.append("/\(face.rawValue) \(font) 0 R")
        }
        let (content, opacities) = contentStream(canvas)
        let stream = pdf.addStream(content)
        // One graphics state per fill opacity used (the Δ bars are 85 % opaque).
        let states = opacities.enumerated().map { i, a in "/GS\(i) << /ca \(number(a)) >>" }.joined(separator: " ")
        let resources = "<< /Font << \(fonts.joined(separator: " ")) >>" + (states.isEmpty ? "" : " /ExtGState << \(states) >>") + " >>"
        let page = pdf.add("<< /Type /Page /Parent \(pages) 0 R /MediaBox [0 0 \(number(canvas.width)) \(number(canvas.height))] "
                           + "/Resources \(resources) /Contents \(stream) 0 R >>")
        pdf.set(pages, "<< /Type /Pages /Kids [\(page) 0 R] /Count 1 >>")
        pdf.set(catalog, "<< /Type /Catalog /Pages \(pages) 0 R >>")
        let info = pdf.add("<< /Title \(PDFDocument.textString(title)) /Producer (ftlab) >>")
        return pdf.rendered(root: catalog, info: info)
    }

    /// The page's drawing operators, and the fill opacities they refer to as /GS0, /GS1, ….
    static func contentStream(_ canvas: PlotCanvas) -> (String, [Double]) {
        let h = canvas.height
        var ops: [String] = []
        var opacities: [Double] = []
        // White page, as the SVG's background rectangle.
        ops.append("1 1 1 rg 0 0 \(number(canvas.width)) \(number(h)) re f")
        for shape in canvas.shapes {
            switch shape {
            case .beginGroup, .endGroup:
                continue
            case let .line(x1, y1, x2, y2, stroke, width, dash, _):
                ops.append("q \(strokeState(stroke, width: width, dash: dash)) \(p(x1, y1, h)) m \(p(x2, y2, h)) l S Q")
            case let .rect(x, y, width, height, fill, stroke, fillOpacity):
                var state = ""
                if let a = fillOpacity {
                    if !opacities.contains(a) { opacities.append(a) }
                    state += "/GS\(opacities.firstIndex(of: a)!) gs "
                }
                if let fill, let c = color(fill) { state += "\(c) rg " }
                if let stroke, let c = color(stroke) { state += "\(c) RG 1 w " }
                let paint = fill.flatMap(color) != nil ? (stroke.flatMap(color) != nil ? "B" : "f") : "S"
                ops.append("q \(state)\(number(x)) \(number(h - y - height)) \(number(width)) \(number(height)) re \(paint) Q")
            case let .circle(cx, cy, r, fill, stroke, strokeWidth):
                var state = color(fill).map { "\($0) rg " } ?? ""
                if let stroke, let c = color(stroke) { state += "\(c) RG \(number(strokeWidth ?? 1)) w " }
                let paint = stroke.flatMap(color) != nil ? "B" : "f"
                ops.append("q \(state)\(circlePath(cx, h - cy, r)) \(paint) Q")
            case let .polyline(points, stroke, width, dash):
                guard let first = points.first else { continue }
                var path = "\(p(first.x, first.y, h)) m"
                for pt in points.dropFirst() { path += " \(p(pt.x, pt.y, h)) l" }
                ops.append("q \(strokeState(stroke, width: width, dash: dash)) 1 j \(path) S Q")
            case let .text(s, x, y, anchor, size, bold, _, rotate):
                ops.append(text(s, x: x, y: h - y, anchor: anchor, size: size, bold: bold, rotate: rotate ?? 0))
            }
        }
        return (ops.joined(separator: "\n"), opacities)
    }

    /// A text object: runs of Helvetica and Symbol, moved back by its width for middle and end
    /// anchors, along the direction of the text when it is rotated.
    static func text(_ s: String, x: Double, y: Double, anchor: PlotCanvas.Anchor, size: Double, bold: Bool, rotate: Double) -> String {
        let runs = PDFFonts.runs(s, bold: bold)
        let width = runs.reduce(0) { $0 + $1.width } * size
        let shift = anchor == .start ? 0 : anchor == .middle ? width / 2 : width
        // SVG turns clockwise for positive angles with y down; PDF turns counter-clockwise with
        // y up: the same picture, so the PDF angle is the negated SVG angle.
        let angle = -rotate * Double.pi / 180
        let (c, sn) = (abs(cos(angle)) < 1e-12 ? 0 : cos(angle), abs(sin(angle)) < 1e-12 ? 0 : sin(angle))
        let ox = x - shift * c, oy = y - shift * sn
        var out = "BT 0 0 0 rg \(number(c)) \(number(sn)) \(number(-sn)) \(number(c)) \(number(ox)) \(number(oy)) Tm"
        for run in runs {
            out += " /\(run.face.rawValue) \(number(size)) Tf \(PDFDocument.literal(run.bytes)) Tj"
        }
        return out + " ET"
    }

    static func strokeState(_ stroke: String, width: Double, dash: [Double]?) -> String {
        var state = "\(color(stroke) ?? "0 0 0") RG \(number(width)) w"
        if let dash { state += " [\(dash.map(number).joined(separator: " "))] 0 d" }
        return state
    }

    /// A circle as four cubic Bézier arcs (κ = 0.5523 of the radius for the control points).
    static func circlePath(_ cx: Double, _ cy: Double, _ r: Double) -> String {
        let k = 0.5523 * r
        func pt(_ x: Double, _ y: Double) -> String { "\(number(x)) \(number(y))" }
        return "\(pt(cx + r, cy)) m "
            + "\(pt(cx + r, cy + k)) \(pt(cx + k, cy + r)) \(pt(cx, cy + r)) c "
            + "\(pt(cx - k, cy + r)) \(pt(cx - r, cy + k)) \(pt(cx - r, cy)) c "
            + "\(pt(cx - r, cy - k)) \(pt(cx - k, cy - r)) \(pt(cx, cy - r)) c "
            + "\(pt(cx + k, cy - r)) \(pt(cx + r, cy - k)) \(pt(cx + r, cy)) c h"
    }

    private static func p(_ x: Double, _ y: Double, _ h: Double) -> String { "\(number(x)) \(number(h - y))" }

    /// "#rgb" or "#rrggbb" as PDF's "r g b" (0…1); nil for "none".
    static func color(_ css: String) -> String? {
        guard css.hasPrefix("#") else { return nil }
        var hex = String(css.dropFirst())
        if hex.count == 3 { hex = hex.map { "\($0)\($0)" }.joined() }
        guard hex.count == 6, let v = Int(hex, radix: 16) else { return nil }
        return [(v >> 16) & 255, (v >> 8) & 255, v & 255].map { number(Double($0) / 255) }.joined(separator: " ")
    }

    /// At most three decimals, no trailing zeros, never "-0".
    static func number(_ x: Double) -> String {
        var s = String(format: "%.3f", x)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s == "-0" ? "0" : s
    }
}

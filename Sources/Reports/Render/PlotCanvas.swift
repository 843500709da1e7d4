/// What a plot draws, in SVG's coordinates (pixels, y down), before any file format: the plots
/// draw once on a canvas and `SVGDocument` and `PDFPlot` each render the same shapes, so the
/// vector PDF of a figure cannot drift from its SVG.
struct PlotCanvas {
    enum Anchor: String { case start, middle, end }

    enum Shape {
        /// SVG `<g>` with its attributes (class, data-*: what tests and scripts select by); the
        /// PDF has no use for them.
        case beginGroup([(String, String)])
        case endGroup
        case line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double, dash: [Double]?, cssClass: String?)
        case rect(x: Double, y: Double, width: Double, height: Double, fill: String?, stroke: String?, fillOpacity: Double?)
        case circle(cx: Double, cy: Double, r: Double, fill: String, stroke: String?, strokeWidth: Double?)
        case polyline(points: [(x: Double, y: Double)], stroke: String, width: Double, dash: [Double]?)
        /// `y` is the baseline; `rotate` (degrees, SVG's sense) turns the text about (x, y).
        case text(String, x: Double, y: Double, anchor: Anchor, size: Double, bold: Bool, cssClass: String?, rotate: Double?)
    }

    let width: Double
    let height: Double
    private(set) var shapes: [Shape] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    mutating func open(_ attributes: [(String, String)]) { shapes.append(.beginGroup(attributes)) }
    mutating func close() { shapes.append(.endGroup) }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "#000",
                       width: Double = 1, dash: [Double]? = nil, cssClass: String? = nil) {
        shapes.append(.line(x1: x1, y1: y1, x2: x2, y2: y2, stroke: stroke, width: width, dash: dash, cssClass: cssClass))
    }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String?, stroke: String? = nil,
                       fillOpacity: Double? = nil) {
        shapes.append(.rect(x: x, y: y, width: width, height: height, fill: fill, stroke: stroke, fillOpacity: fillOpacity))
    }

    mutating func circle(cx: Double, cy: Double, r: Double, fill: String, stroke: String? = nil, strokeWidth: Double? = nil) {
        shapes.append(.circle(cx: cx, cy: cy, r: r, fill: fill, stroke: stroke, strokeWidth: strokeWidth))
    }

    mutating func polyline(_ points: [(x: Double, y: Double)], stroke: String, width: Double, dash: [Double]? = nil) {
        shapes.append(.polyline(points: points, stroke: stroke, width: width, dash: dash))
    }

    mutating func text(_ s: String, x: Double, y: Double, anchor: Anchor = .middle, size: Double = 12,
                       bold: Bool = false, cssClass: String? = nil, rotate: Double? = nil) {
        shapes.append(.text(s, x: x, y: y, anchor: anchor, size: size, bold: bold, cssClass: cssClass, rotate: rotate))
    }

    /// A vertical error bar from `low` to `high` (pixel y) with caps, as one group.
    mutating func errorBar(x: Double, low: Double, high: Double, color: String, cap: Double = 4, label: String) {
        open([("class", "error-bar"), ("data-label", label)])
        line(x, low, x, high, stroke: color, width: 1.5)
        line(x - cap, low, x + cap, low, stroke: color, width: 1.5)
        line(x - cap, high, x + cap, high, stroke: color, width: 1.5)
        close()
    }
}

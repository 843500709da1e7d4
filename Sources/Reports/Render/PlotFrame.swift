/// What the two plots share: the canvas and margins, the title, the rotated y-axis label, the
/// y ticks with their grid lines, and the frame with the x-axis label.
struct PlotFrame {
    static let width = 780.0, height = 470.0
    static let left = 76.0, right = 170.0, top = 48.0, bottom = 76.0
    static let plotW = width - left - right, plotH = height - top - bottom

    let yTicks: (ticks: [Double], lo: Double, hi: Double)

    /// The y pixel of value `v`.
    func py(_ v: Double) -> Double {
        Self.top + Self.plotH - (v - yTicks.lo) / (yTicks.hi - yTicks.lo) * Self.plotH
    }

    /// Title, y-axis label and the y axis; `tickLabel(value, step)` writes each tick.
    func drawHeader(_ canvas: inout PlotCanvas, title: String, yLabel: String,
                    tickLabel: (Double, Double) -> String) {
        // The rotated label goes first: ImageMagick's SVG renderer misplaces a rotated group
        // that follows other text (browsers do not care about the order).
        canvas.text(yLabel, x: 22, y: Self.top + Self.plotH / 2, size: 13, cssClass: "axis-label", rotate: -90)
        canvas.text(title, x: Self.left + Self.plotW / 2, y: 26, size: 15, bold: true, cssClass: "title")
        canvas.open([("class", "y-axis")])
        let step = yTicks.ticks.count > 1 ? yTicks.ticks[1] - yTicks.ticks[0] : 0.1
        for t in yTicks.ticks {
            canvas.line(Self.left, py(t), Self.left + Self.plotW, py(t), stroke: "#e4e4e4")
            canvas.line(Self.left - 5, py(t), Self.left, py(t))
            canvas.text(tickLabel(t, step), x: Self.left - 8, y: py(t) + 4, anchor: .end, size: 11, cssClass: "tick")
        }
        canvas.close()
    }

    /// The box around the plot area and the x-axis label under it.
    func drawBox(_ canvas: inout PlotCanvas, xLabel: String) {
        canvas.rect(x: Self.left, y: Self.top, width: Self.plotW, height: Self.plotH, fill: nil, stroke: "#000")
        canvas.text(xLabel, x: Self.left + Self.plotW / 2, y: Self.height - 12, size: 13, cssClass: "axis-label")
    }
}

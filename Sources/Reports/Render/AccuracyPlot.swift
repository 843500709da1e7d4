import Foundation

/// `accuracy.svg`: accuracy against parameters (log10 x-axis), one line per method, Wilson 95 %
/// error bars, a legend. One task split per plot: the first of the study unless one is given.
public enum AccuracyPlot {
    public static func render(_ study: Study, dataset: DatasetKey? = nil) -> String {
        SVGDocument.render(draw(study, dataset: dataset))
    }

    /// The same figure as a one-page vector PDF (`accuracy.pdf`).
    public static func renderPDF(_ study: Study, dataset: DatasetKey? = nil) -> String {
        PDFPlot.render(draw(study, dataset: dataset), title: "Accuracy vs model size")
    }

    static func draw(_ study: Study, dataset: DatasetKey? = nil) -> PlotCanvas {
        let left = PlotFrame.left, top = PlotFrame.top, plotW = PlotFrame.plotW, plotH = PlotFrame.plotH
        var canvas = PlotCanvas(width: PlotFrame.width, height: PlotFrame.height)
        guard let dataset = dataset ?? study.datasets.first else { return canvas }
        let models = study.models(in: dataset)
        let methods = study.methods(in: dataset)
        let summaries = study.summaries.filter { $0.dataset == dataset }

        // x: log10(params), padded so the end points and their error bars sit inside the frame.
        let logs = models.map { log10(Double($0.params)) }
        let pad = max(0.08, ((logs.max() ?? 0) - (logs.min() ?? 0)) * 0.08)
        let xLo = (logs.min() ?? 8) - pad, xHi = (logs.max() ?? 9) + pad
        func px(_ logP: Double) -> Double { left + (logP - xLo) / (xHi - xLo) * plotW }

        // y: accuracy from 0 to a tenth above the highest upper bound (at most 1).
        let yMax = min(1, max(0.1, ceil(((summaries.map(\.interval.upper).max() ?? 1) + 0.02) * 10) / 10))
        let frame = PlotFrame(yTicks: PlotStyle.linearTicks(from: 0, to: yMax, maxTicks: 6))
        func py(_ a: Double) -> Double { frame.py(a) }
        frame.drawHeader(&canvas, title: "Accuracy vs model size — \(dataset)", yLabel: "Accuracy (mean over seeds, Wilson 95 %)",
                         tickLabel: PlotStyle.tickLabel)
        canvas.open([("class", "x-axis")])
        // A narrow range (one model) may hold no 1-2-…-9 tick: then the models' sizes are the ticks.
        var xTicks = PlotStyle.logTicks(from: pow(10, xLo), to: pow(10, xHi))
        if xTicks.count < 2 { xTicks = models.map { Double($0.params) } }
        for t in xTicks {
            let x = px(log10(t))
            canvas.line(x, top, x, top + plotH, stroke: "#f0f0f0")
            canvas.line(x, top + plotH, x, top + plotH + 5)
            canvas.text(Format.params(t), x: x, y: top + plotH + 19, size: 11, cssClass: "tick")
        }
        canvas.close()
        frame.drawBox(&canvas, xLabel: "Parameters (log scale)")

        // One series per method, dodged sideways a few pixels so the error bars do not overlap.
        for (i, method) in methods.enumerated() {
            let dodge = (Double(i) - Double(methods.count - 1) / 2) * 5
            let color = PlotStyle.color(method)
            let points = models.compactMap { m in
                summaries.first { $0.model == m.model && $0.method == method }
            }
            canvas.open([("class", "series"), ("data-method", method)])
            let path = points.map { (x: px(log10(Double($0.params))) + dodge, y: py($0.meanAccuracy)) }
            if path.count > 1 {
                canvas.polyline(path, stroke: color, width: 2, dash: PlotStyle.dash(method))
            }
            for s in points {
                let x = px(log10(Double(s.params))) + dodge
                canvas.errorBar(x: x, low: py(s.interval.lower), high: py(s.interval.upper), color: color,
                             label: "\(s.model) \(method)")
                canvas.circle(cx: x, cy: py(s.meanAccuracy), r: 4, fill: color, stroke: "#fff", strokeWidth: 1)
            }
            canvas.close()
        }

        // Model names under the points they belong to, above the tick labels.
        for m in models {
            canvas.text(m.model, x: px(log10(Double(m.params))), y: top + plotH + 36, size: 10, cssClass: "model-label")
        }

        Legend.draw(&canvas, methods: methods, x: left + plotW + 18, y: top + 4, title: "Method")
        return canvas
    }
}

/// The key of method colours, shared by both plots.
enum Legend {
    static func draw(_ canvas: inout PlotCanvas, methods: [String], x: Double, y: Double, title: String) {
        canvas.open([("class", "legend")])
        let h = 26 + Double(methods.count) * 20
        canvas.rect(x: x, y: y, width: 140, height: h, fill: "#ffffff", stroke: "#999999")
        canvas.text(title, x: x + 10, y: y + 17, anchor: .start, size: 12, bold: true)
        for (i, method) in methods.enumerated() {
            let rowY = y + 36 + Double(i) * 20
            canvas.line(x + 10, rowY - 4, x + 38, rowY - 4, stroke: PlotStyle.color(method), width: 2.5, dash: PlotStyle.dash(method))
            canvas.circle(cx: x + 24, cy: rowY - 4, r: 3.5, fill: PlotStyle.color(method))
            canvas.text(method, x: x + 46, y: rowY, anchor: .start, size: 12, cssClass: "legend-entry")
        }
        canvas.close()
    }
}

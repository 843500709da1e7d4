import Foundation

/// `delta.svg`: Δ accuracy versus zero-shot, one group of bars per model (smallest first), one bar
/// per method, bootstrap 95 % whiskers, a zero line. Bars below zero are negative transfer.
public enum DeltaPlot {
    public static func render(_ study: Study, dataset: DatasetKey? = nil) -> String {
        SVGDocument.render(draw(study, dataset: dataset))
    }

    /// The same figure as a one-page vector PDF (`delta.pdf`).
    public static func renderPDF(_ study: Study, dataset: DatasetKey? = nil) -> String {
        PDFPlot.render(draw(study, dataset: dataset), title: "Delta accuracy vs zero-shot")
    }

    static func draw(_ study: Study, dataset: DatasetKey? = nil) -> PlotCanvas {
        let left = PlotFrame.left, top = PlotFrame.top, plotW = PlotFrame.plotW, plotH = PlotFrame.plotH
        var canvas = PlotCanvas(width: PlotFrame.width, height: PlotFrame.height)
        guard let dataset = dataset ?? study.datasets.first else { return canvas }
        let transfers = study.transfers.filter { $0.summary.dataset == dataset }
        let models = study.models(in: dataset).filter { m in transfers.contains { $0.summary.model == m.model } }
        let methods = Methods.sorted(transfers.map(\.summary.method))

        let lo = min(0, transfers.map(\.interval.lower).min() ?? 0), hi = max(0, transfers.map(\.interval.upper).max() ?? 0)
        let frame = PlotFrame(yTicks: PlotStyle.linearTicks(from: lo - 0.02, to: hi + 0.02, maxTicks: 8))
        func py(_ d: Double) -> Double { frame.py(d) }
        frame.drawHeader(&canvas, title: "Δ accuracy vs zero-shot — \(dataset)", yLabel: "Δ accuracy vs zero-shot (bootstrap 95 %)") { t, step in
            t == 0 ? "0" : (t > 0 ? "+" : "") + PlotStyle.tickLabel(t, step: step)
        }

        let groupW = plotW / Double(max(models.count, 1))
        let barW = min(34, groupW * 0.8 / Double(max(methods.count, 1)))
        canvas.open([("class", "x-axis")])
        for (g, m) in models.enumerated() {
            let cx = left + groupW * (Double(g) + 0.5)
            canvas.text(m.model, x: cx, y: top + plotH + 19, size: 11, cssClass: "tick")
            canvas.text(Format.params(m.params), x: cx, y: top + plotH + 34, size: 10, cssClass: "model-label")
        }
        canvas.close()

        for (g, m) in models.enumerated() {
            for (i, method) in methods.enumerated() {
                guard let t = transfers.first(where: { $0.summary.model == m.model && $0.summary.method == method }) else { continue }
                let x = left + groupW * (Double(g) + 0.5) + (Double(i) - Double(methods.count) / 2) * barW
                let color = PlotStyle.color(method)
                let y0 = py(0), y1 = py(t.delta)
                canvas.open([("class", "bar"), ("data-model", m.model), ("data-method", method)])
                canvas.rect(x: x + 1, y: min(y0, y1), width: barW - 2, height: max(abs(y1 - y0), 0.5), fill: color, fillOpacity: 0.85)
                canvas.errorBar(x: x + barW / 2, low: py(t.interval.lower), high: py(t.interval.upper), color: "#222222",
                             cap: min(6, barW / 3), label: "\(m.model) \(method)")
                if !t.mark.isEmpty {
                    let markY = t.delta < 0 ? py(t.interval.lower) + 14 : py(t.interval.upper) - 5
                    canvas.text(t.mark, x: x + barW / 2, y: markY, size: 13, bold: true, cssClass: "significance")
                }
                canvas.close()
            }
        }

        canvas.line(left, py(0), left + plotW, py(0), stroke: "#000", width: 1.5, cssClass: "zero-line")
        frame.drawBox(&canvas, xLabel: "Model")
        Legend.draw(&canvas, methods: methods, x: left + plotW + 18, y: top + 4, title: "Method")
        canvas.text("* every seed p < 0.05", x: left + plotW + 18, y: top + 40 + Double(methods.count) * 20 + 14,
                 anchor: .start, size: 10, cssClass: "note")
        return canvas
    }
}

/// The report's tables as `booktabs` fragments (`table-accuracy.tex`, `table-delta.tex`,
/// `table-thresholds.tex`): a bare `tabular` each, to `\input` into a paper (which needs
/// `\usepackage{booktabs}`) or into `report.tex`. Numbers have a fixed number of decimals per
/// column and are right-aligned; a minus is a minus; every name is escaped.
public enum LaTeXTables {
    /// Model rows, method columns: mean ± sd over seeds, and under it, smaller, the Wilson 95 %
    /// interval on the pooled predictions. The best mean of each model is bold (several when
    /// they are equal), as a paper's table marks it.
    public static func accuracy(_ study: Study, statement: String?) -> String {
        let datasets = study.datasets
        let methods = Methods.sorted(study.summaries.map(\.method))
        var table = LaTeXTabular(columns: ["l", "r"] + methods.map { _ in "r" },
                                 header: ["model", "params"] + methods.map(methodName))
        for (d, dataset) in datasets.enumerated() {
            if datasets.count > 1 {
                if d > 0 { table.rows.append(.rule) }
                table.rows.append(.heading(LaTeXText.escape(dataset.description)))
            }
            for (model, params) in study.models(in: dataset) {
                let best = study.recommendations.first { $0.model == model && $0.dataset == dataset }?.best.meanAccuracy
                var means: [String] = [], intervals: [String] = []
                for method in methods {
                    guard let s = study.summary(model: model, dataset: dataset, method: method) else {
                        means.append("--"); intervals.append(""); continue
                    }
                    var mean = Format.fixed(s.meanAccuracy)
                    if let best, abs(s.meanAccuracy - best) < 1e-12 { mean = "\\textbf{\(mean)}" }
                    means.append(mean + (s.sd.map { " $\\pm$ " + Format.fixed($0) } ?? ""))
                    intervals.append("{\\footnotesize " + Format.interval(s.interval) + "}")
                }
                table.rows.append(.cells([LaTeXText.escape(model), Format.params(params)] + means))
                table.rows.append(.cells(["", ""] + intervals))
            }
        }
        return table.rendered(statement: statement)
    }

    /// One row per model and method compared with zero-shot: seeds, Δ with its significance mark
    /// as a superscript (kept out of the column's width, so the decimals stay aligned), the
    /// bootstrap interval and the largest McNemar p over seeds.
    public static func delta(_ study: Study, statement: String?) -> String {
        var table = LaTeXTabular(columns: ["l", "l", "r", "r", "r", "r"],
                                 header: ["model", "method", "seeds", "$\\Delta$", "95\\,\\% interval", "$p$"])
        let datasets = study.datasets.filter { d in study.transfers.contains { $0.summary.dataset == d } }
        if datasets.isEmpty {
            table.rows.append(.heading("no method has a zero-shot run of its model to be compared with"))
        }
        for (d, dataset) in datasets.enumerated() {
            if datasets.count > 1 {
                if d > 0 { table.rows.append(.rule) }
                table.rows.append(.heading(LaTeXText.escape(dataset.description)))
            }
            var previousModel: String?
            for t in study.transfers where t.summary.dataset == dataset {
                let s = t.summary
                if previousModel != nil && previousModel != s.model { table.rows.append(.space) }
                let mark = t.mark.isEmpty ? "" : "\\rlap{$^{\(t.mark)}$}"
                table.rows.append(.cells([
                    previousModel == s.model ? "" : LaTeXText.escape(s.model), methodName(s.method),
                    String(t.comparisons.count), LaTeXText.number(Format.signed(t.delta)) + mark,
                    interval(t.interval), LaTeXText.number(Format.pValue(t.pValue)),
                ]))
                previousModel = s.model
            }
        }
        return table.rendered(statement: statement)
    }

    /// Method rows, one column of Δ per model (headed by its size), and where Δ changes sign.
    public static func thresholds(_ study: Study, statement: String?) -> String {
        let datasets = study.datasets.filter { d in study.thresholds.contains { $0.dataset == d } }
        guard !datasets.isEmpty else {
            let table = LaTeXTabular(columns: ["l"], header: ["zero crossing of $\\Delta$"],
                                     rows: [.cells(["needs at least two models with zero-shot and method runs on one task"])])
            return table.rendered(statement: statement)
        }
        // One column per model of any dataset with thresholds, smallest first.
        var models: [(model: String, params: Int64)] = []
        for d in datasets { for m in study.models(in: d) where !models.contains(where: { $0.model == m.model }) { models.append(m) } }
        models.sort { ($0.params, $0.model) < ($1.params, $1.model) }
        var table = LaTeXTabular(columns: ["l"] + models.map { _ in "r" } + ["l"],
                                 header: ["method"] + models.map { Format.params($0.params) } + ["zero crossing of $\\Delta$"])
        for (d, dataset) in datasets.enumerated() {
            if datasets.count > 1 {
                if d > 0 { table.rows.append(.rule) }
                table.rows.append(.heading(LaTeXText.escape(dataset.description)))
            }
            for t in study.thresholds where t.dataset == dataset {
                let cells = models.map { m in t.points.first { $0.model == m.model }.map { LaTeXText.number(Format.signed($0.delta)) } ?? "--" }
                table.rows.append(.cells([methodName(t.method)] + cells + [crossing(t)]))
            }
        }
        return table.rendered(statement: statement)
    }

    /// Reasoning depth (see `DepthBin`): per model, its zero-shot accuracy in each bin, then each
    /// method's Δ versus zero-shot on the bin's paired examples, significance marked as in the Δ
    /// table; then DoRA − LoRA per bin where a model has both. One row saying why when no run
    /// knows its examples' depths.
    public static func depth(_ study: Study, statement: String?) -> String {
        let bins = DepthBin.allCases
        var table = LaTeXTabular(columns: ["l", "l"] + bins.map { _ in "r" },
                                 header: ["model", "method"] + bins.map(depthHeader))
        let datasets = study.datasets.filter(study.hasDepths)
        if datasets.isEmpty {
            table.rows.append(.heading("no reasoning depths: they are read from the GSM8K data file the runs scored"))
        }
        func signed(_ pair: DepthPair?) -> String {
            guard let pair, let d = pair.delta else { return "--" }
            let mark = pair.mark
            return LaTeXText.number(Format.signed(d)) + (mark.isEmpty ? "" : "\\rlap{$^{\(mark)}$}")
        }
        for (d, dataset) in datasets.enumerated() {
            if datasets.count > 1 {
                if d > 0 { table.rows.append(.rule) }
                table.rows.append(.heading(LaTeXText.escape(dataset.description)))
            }
            let transfers = study.depthTransfers(in: dataset)
            let adapters = study.adapterDepth(in: dataset)
            var previousModel: String?
            for (s, tallies, _) in study.depthTallies(in: dataset) {
                if previousModel != nil && previousModel != s.model {
                    if let c = adapters.first(where: { $0.model == previousModel }) {
                        table.rows.append(.cells(["", "DoRA $-$ LoRA"] + bins.map { signed(c.byBin[$0]) }))
                    }
                    table.rows.append(.space)
                }
                let name = previousModel == s.model ? "" : LaTeXText.escape(s.model)
                if s.method == Methods.baseline {
                    let cells = bins.map { b in tallies[b].map { Format.fixed(Double($0.correct) / Double($0.n)) } ?? "--" }
                    table.rows.append(.cells([name, "zero-shot (acc.)"] + cells))
                } else {
                    let t = transfers.first { $0.model == s.model && $0.second == s.method }
                    table.rows.append(.cells([name, methodName(s.method)] + bins.map { signed(t?.byBin[$0]) }))
                }
                previousModel = s.model
            }
            if let last = previousModel, let c = adapters.first(where: { $0.model == last }) {
                table.rows.append(.cells(["", "DoRA $-$ LoRA"] + bins.map { signed(c.byBin[$0]) }))
            }
        }
        return table.rendered(statement: statement)
    }

    /// "$\leq$2 steps", "3 steps", …: pdflatex has no glyph for a bare ≤ or ≥.
    static func depthHeader(_ bin: DepthBin) -> String {
        switch bin {
        case .twoOrFewer: return "$\\leq$2 steps"
        case .fiveOrMore: return "$\\geq$5 steps"
        default: return "\(bin.label) steps"
        }
    }

    /// "falls below 0 at $\approx$181M"; "none in range ($\Delta<0$ throughout)".
    static func crossing(_ t: ThresholdResult) -> String {
        guard !t.crossings.isEmpty else {
            let sign = t.points.allSatisfy { $0.delta > 0 } ? "$\\Delta>0$ throughout"
                : t.points.allSatisfy { $0.delta < 0 } ? "$\\Delta<0$ throughout" : "no sign change"
            return "none in range (\(sign))"
        }
        return t.crossings.map { c in
            let direction = c.rising ? "rises above 0" : "falls below 0"
            if c.left == c.right { return "\(direction) at \(LaTeXText.escape(c.left.label))" }
            return "\(direction) at $\\approx$\(Format.params(ThresholdResult.params(at: c)))"
        }.joined(separator: "; ")
    }

    /// "[$-$0.300, $+$0.050]" for a signed interval, "[0.112, 0.345]" otherwise.
    static func interval(_ i: Interval) -> String {
        "[" + LaTeXText.number(Format.signed(i.lower)) + ", " + LaTeXText.number(Format.signed(i.upper)) + "]"
    }

    /// Method names as a paper writes them; any other name escaped.
    public static func methodName(_ method: String) -> String {
        switch method {
        case "zero_shot": return "zero-shot"
        case "few_shot": return "few-shot"
        case "full": return "full FT"
        case "lora": return "LoRA"
        case "dora": return "DoRA"
        default:
            // `full lr=0.0001` → "full FT, lr 0.0001".
            if let space = method.firstIndex(of: " "), method[space...].hasPrefix(" lr=") {
                return methodName(String(method[..<space])) + ", lr " + LaTeXText.escape(String(method.dropFirst(method.distance(from: method.startIndex, to: space) + 4)))
            }
            return LaTeXText.escape(method)
        }
    }
}

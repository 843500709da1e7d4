/// The "Reasoning depth" section of `report.md`: accuracy and Δ versus zero-shot by the number
/// of steps of the reference solution, and LoRA against DoRA by the same bins.
enum MarkdownDepth {
    static func render(_ study: Study, _ dataset: DatasetKey) -> String {
        guard study.hasDepths(in: dataset) else { return "" }
        var out = "## Reasoning depth — \(dataset)\n\n"
        out += "A question's depth is the number of steps (lines) of its reference solution, in four bins that each hold "
            + "about a quarter of the GSM8K test. Cells: accuracy, and for each method Δ versus the same model's zero-shot "
            + "run on the paired examples of that bin (pooled over seeds; `*` exact McNemar p < 0.05, `**` p < 0.01 in every seed).\n\n"
        out += "| model | method | " + DepthBin.allCases.map { "\($0.label) steps" }.joined(separator: " | ") + " |\n"
        out += "|---|---|" + String(repeating: "---|", count: DepthBin.allCases.count) + "\n"
        let transfers = study.depthTransfers(in: dataset)
        let tallies = study.depthTallies(in: dataset)
        var lastModel: String?
        for (s, bins, _) in tallies {
            if s.model != lastModel {
                lastModel = s.model
                let baseline = tallies.first { $0.summary.model == s.model && $0.summary.method == Methods.baseline }
                let counts = DepthBin.allCases.map { b in baseline?.questions[b].map(String.init) ?? "—" }
                out += "| \(s.model) | *questions* | " + counts.joined(separator: " | ") + " |\n"
            }
            let delta = transfers.first { $0.model == s.model && $0.second == s.method }
            let cells = DepthBin.allCases.map { b -> String in
                guard let t = bins[b], t.n > 0 else { return "—" }
                var cell = Format.fixed(Double(t.correct) / Double(t.n))
                if let pair = delta?.byBin[b], let d = pair.delta { cell += " (\(Format.signed(d))\(pair.mark))" }
                return cell
            }
            out += "| \(s.model) | \(s.method) | " + cells.joined(separator: " | ") + " |\n"
        }

        let adapters = study.adapterDepth(in: dataset)
        guard !adapters.isEmpty else { return out + "\n" }
        out += "\nDoRA against LoRA, run paired with run of the same seed (accuracy LoRA → DoRA; right in one run only; "
            + "exact McNemar p, largest over seeds). DoRA doing better on multi-step problems would show as DoRA − LoRA "
            + "growing with depth.\n\n"
        out += "| model | steps | paired | LoRA → DoRA | DoRA − LoRA | LoRA only | DoRA only | p |\n"
        out += "|---|---|---:|---|---:|---:|---:|---:|\n"
        for c in adapters {
            for b in DepthBin.allCases {
                guard let pair = c.byBin[b] else { continue }
                out += row(c.model, b.label, pair)
            }
            out += row(c.model, "all", c.all)
        }
        return out + "\n"
    }

    private static func row(_ model: String, _ steps: String, _ p: DepthPair) -> String {
        guard let a = p.firstAccuracy, let b = p.secondAccuracy, let d = p.delta, let pv = p.pValue else { return "" }
        return "| \(model) | \(steps) | \(p.n) | \(Format.fixed(a)) → \(Format.fixed(b)) | \(Format.signed(d)) | "
            + "\(p.firstOnly) | \(p.secondOnly) | \(Format.pValue(pv)) |\n"
    }
}

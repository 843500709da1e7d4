/// The tidy tables behind a report, for R / pandas / a spreadsheet.
public enum CSVReport {
    /// One row per scored run, i.e. per model × task × method × seed, with its pairing to the
    /// zero-shot partner (empty for zero-shot runs themselves) and, for generative runs, its cap
    /// on new tokens, mean answer length and the number of answers that reached the cap.
    public static func runs(_ study: Study) -> String {
        let header = ["model", "family", "params", "task", "split", "method", "seed", "run_id", "training_run_id",
                      "n", "correct", "accuracy", "wilson_lower", "wilson_upper", "baseline_run_id", "paired_n",
                      "delta", "delta_lower", "delta_upper", "lost", "gained", "mcnemar_p",
                      "token_cap", "mean_output_tokens", "at_token_cap"]
        let budgetOf = Dictionary(uniqueKeysWithValues: study.budgets.map { ($0.runID, $0) })
        var comparisonOf: [Int64: PairedComparison] = [:]
        for t in study.transfers { for c in t.comparisons { comparisonOf[c.afterRunID] = c } }
        var rows: [[String]] = []
        for s in study.summaries {
            for r in s.runs {
                let c = comparisonOf[r.id]
                rows.append([
                    r.model, r.family, String(r.params), r.task, r.split, r.method, String(r.seed), String(r.id),
                    r.trainingRunID.map { String($0) } ?? "", String(r.n), String(r.correct),
                    CSVWriter.number(r.accuracy), CSVWriter.number(r.wilson.lower), CSVWriter.number(r.wilson.upper),
                    c.map { String($0.beforeRunID) } ?? "", c.map { String($0.pairs) } ?? "",
                    CSVWriter.number(c?.delta), CSVWriter.number(c?.interval.lower), CSVWriter.number(c?.interval.upper),
                    c.map { String($0.beforeOnly) } ?? "", c.map { String($0.afterOnly) } ?? "",
                    CSVWriter.number(c?.pValue),
                    budgetOf[r.id].map { String($0.limit) } ?? "", CSVWriter.number(budgetOf[r.id]?.meanTokens),
                    budgetOf[r.id].map { String($0.capped) } ?? "",
                ])
            }
        }
        return CSVWriter.render(header: header, rows: rows)
    }

    /// One row per model × task × method: the numbers of the Markdown tables, unrounded.
    public static func summary(_ study: Study) -> String {
        let header = ["model", "params", "task", "split", "method", "seeds", "accuracy_mean", "accuracy_sd",
                      "pooled_n", "pooled_correct", "wilson_lower", "wilson_upper", "delta_mean", "delta_lower",
                      "delta_upper", "lost", "gained", "mcnemar_p_max", "verdict"]
        let rows: [[String]] = study.summaries.map { s in
            let t = study.transfer(model: s.model, dataset: s.dataset, method: s.method)
            return [
                s.model, String(s.params), s.dataset.task, s.dataset.split, s.method, String(s.runs.count),
                CSVWriter.number(s.meanAccuracy), CSVWriter.number(s.sd), String(s.pooledN), String(s.pooledCorrect),
                CSVWriter.number(s.interval.lower), CSVWriter.number(s.interval.upper),
                CSVWriter.number(t?.delta), CSVWriter.number(t?.interval.lower), CSVWriter.number(t?.interval.upper),
                t.map { String($0.lost) } ?? "", t.map { String($0.gained) } ?? "", CSVWriter.number(t?.pValue),
                t?.verdict.rawValue ?? (s.method == Methods.baseline ? "baseline" : "no zero-shot baseline"),
            ]
        }
        return CSVWriter.render(header: header, rows: rows)
    }

    /// One row per (model, method, depth bin) of every dataset whose examples have depths (see
    /// `DepthBin`): accuracy in the bin, and Δ versus zero-shot on the bin's paired examples.
    /// Only the header when no depths are known.
    public static func depth(_ study: Study) -> String {
        let header = ["model", "params", "task", "split", "method", "steps", "questions", "n", "correct", "accuracy",
                      "paired_n", "delta", "mcnemar_p_max"]
        var rows: [[String]] = []
        for dataset in study.datasets where study.hasDepths(in: dataset) {
            let transfers = study.depthTransfers(in: dataset)
            for (s, bins, questions) in study.depthTallies(in: dataset) {
                let t = transfers.first { $0.model == s.model && $0.second == s.method }
                for bin in DepthBin.allCases {
                    guard let b = bins[bin] else { continue }
                    let pair = t?.byBin[bin]
                    rows.append([s.model, String(s.params), dataset.task, dataset.split, s.method, bin.asciiLabel,
                                 String(questions[bin] ?? 0), String(b.n), String(b.correct),
                                 CSVWriter.number(Double(b.correct) / Double(b.n)), pair.map { String($0.n) } ?? "",
                                 CSVWriter.number(pair?.delta), CSVWriter.number(pair?.pValue)])
                }
            }
        }
        return CSVWriter.render(header: header, rows: rows)
    }
}

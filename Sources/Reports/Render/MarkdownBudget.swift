/// The "Generation budget" section of `report.md`: per run, how many answers reached the cap on
/// new tokens and how accurate the finished and the cut-off answers are; per method, Δ on the
/// questions its zero-shot partner finished and on those it ran out of budget on.
enum MarkdownBudget {
    static func render(_ study: Study, _ dataset: DatasetKey) -> String {
        let inDataset = Set(study.runs.filter { $0.dataset == dataset }.map(\.id))
        let budgets = study.budgets.filter { inDataset.contains($0.runID) }
        guard !budgets.isEmpty else { return "" }
        var out = "## Generation budget — \(dataset)\n\n"
        guard budgets.contains(where: { $0.capped > 0 }) else {
            return out + "No answer reached its run's cap on new tokens (\(limits(budgets))).\n\n"
        }
        out += "Answers are generated up to a cap on new tokens (\(limits(budgets))). An answer that reaches it is cut "
            + "off, and what is extracted from it is the last number of an unfinished solution. A method "
            + "that makes answers shorter gains on the questions its zero-shot run ran out of budget on "
            + "without reasoning any better there, so Δ is split below by the zero-shot answer: the "
            + "*finished* columns compare the method with complete zero-shot answers.\n\n"
        let budgetOf = Dictionary(uniqueKeysWithValues: budgets.map { ($0.runID, $0) })
        let byID = Dictionary(uniqueKeysWithValues: study.runs.map { ($0.id, $0) })
        out += "| model | method | seed | run | tokens an answer | at the cap | accuracy, finished | accuracy, at the cap |\n"
        out += "|---|---|---:|---:|---:|---:|---:|---:|\n"
        for s in study.summaries where s.dataset == dataset {
            for run in s.runs {
                guard let b = budgetOf[run.id] else { continue }
                let share = Format.fixed(100 * Double(b.capped) / Double(b.n), 1)
                out += "| \(s.model) | \(s.method) | \(run.seed) | \(run.id) | \(Format.fixed(b.meanTokens, 1)) | "
                out += "\(b.capped) of \(b.n) (\(share) %) | \(accuracy(b.accuracyFinished)) | \(accuracy(b.accuracyCapped)) |\n"
            }
        }
        let splits = study.budgetSplits(in: dataset)
        guard !splits.isEmpty else { return out + "\n" }
        out += "\nΔ by the zero-shot answer (paired examples; accuracy zero-shot → method):\n\n"
        out += "| model | method | seed | zero-shot finished: n | accuracy | Δ | zero-shot at the cap: n | accuracy | Δ |\n"
        out += "|---|---|---:|---:|---|---:|---:|---|---:|\n"
        for (t, split) in splits {
            let seed = byID[split.afterRunID]?.seed.description ?? "?"
            out += "| \(t.summary.model) | \(t.summary.method) | \(seed) | " + cells(split.finished) + " | " + cells(split.capped) + " |\n"
        }
        return out + "\n"
    }

    private static func limits(_ budgets: [BudgetSummary]) -> String {
        let caps = Set(budgets.map(\.limit)).sorted().map(String.init)
        return caps.count == 1 ? "\(caps[0]) tokens" : caps.joined(separator: ", ") + " tokens, by run"
    }

    private static func accuracy(_ x: Double?) -> String { x.map { Format.fixed($0) } ?? "—" }

    private static func cells(_ s: BudgetSplit.Stratum) -> String {
        guard let before = s.beforeAccuracy, let after = s.afterAccuracy, let delta = s.delta else { return "0 | — | —" }
        return "\(s.n) | \(Format.fixed(before)) → \(Format.fixed(after)) | \(Format.signed(delta))"
    }
}

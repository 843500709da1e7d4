/// `report.md`: the tables and verdicts a paper's results section needs, and how they were made.
public enum MarkdownReport {
    public static func render(_ study: Study, kind: ReportKind, context: ReportContext) -> String {
        var out = "# \(kind.title) report\n\n"
        out += overview(study, context: context)
        out += method(study)
        for dataset in study.datasets {
            out += accuracyTable(study, dataset)
            out += deltaTable(study, dataset)
            out += MarkdownBudget.render(study, dataset)
            out += MarkdownDepth.render(study, dataset)
        }
        switch kind {
        case .negativeTransfer:
            out += verdicts(study)
            out += thresholds(study)
            out += recommendations(study)
            out += MarkdownFlips.render(study)
        case .thresholds:
            out += thresholds(study)
            out += recommendations(study)
        }
        out += MarkdownProvenance.render(study, context: context)
        return out
    }

    // MARK: Sections

    static func overview(_ study: Study, context: ReportContext) -> String {
        var out = ""
        let models = Set(study.summaries.map(\.model)).count
        let methods = Methods.sorted(study.summaries.map(\.method))
        let seeds = Set(study.runs.map(\.seed)).sorted()
        let sizes = Set(study.runs.map(\.n)).sorted()
        let datasets = study.datasets.map(\.description).joined(separator: ", ")
        out += "\(study.runs.count) scored runs on \(datasets): \(models) model(s) × \(methods.count) method(s) "
        out += "(\(methods.joined(separator: ", "))), seeds \(seeds.map(String.init).joined(separator: ", ")); "
        out += (sizes.count == 1 ? "\(sizes[0]) examples per run" : "\(sizes.first!)–\(sizes.last!) examples per run") + ".\n"
        if let selection = context.selection { out += "Runs selected by `\(selection)` (for a selected model without a zero-shot run of its own, the zero-shot runs that scored the same examples are added as baselines).\n" }
        if study.datasets.count > 1 {
            out += "The plots (accuracy.svg, delta.svg) show \(study.datasets[0]) only; the tables cover every task.\n"
        }
        for note in study.notes { out += "\n> Note: \(note)\n" }
        return out + "\n"
    }

    static func method(_ study: Study) -> String {
        """
        ## How to read this report

        - **Accuracy**: mean over seeds ± sample standard deviation over seeds; the bracket is the
          Wilson 95 % interval on the pooled predictions of all seeds.
        - **Δ**: the method's accuracy minus the same model's zero-shot accuracy, on the examples both
          runs scored (paired). Each run of the method is paired with the zero-shot run that scored the
          most of its examples (the same seed among equals, else the lowest); Δ is the mean of the per-seed Δs.
          Fine-tuning methods are scored by the evaluation run of each training run.
        - **95 % interval of Δ**: paired percentile bootstrap, \(study.bootstrap.resamples) resamples of the examples
          (within each seed), generator SplitMix64 seeded with \(study.bootstrap.seed).
        - **p**: exact McNemar test on the discordant examples (lost: right at zero-shot and wrong after;
          gained: the reverse), per seed; the largest p over seeds is shown. Negative transfer is called
          *significant* only if **every** seed shows Δ < 0 with p < 0.05 (an intersection–union test: it
          needs no independence between seeds, which share their examples, and it is conservative).
          Marks: `*` every seed p < 0.05 in the direction of Δ, `**` every seed p < 0.01.
        - **Threshold**: Δ against log10(parameters) across models, joined by straight lines; where a
          segment crosses zero, the crossing is interpolated linearly between the two bracketing models.
        - **Recommendation**: the method with the highest mean accuracy. Every other method is paired
          with it example by example (as for Δ) and is behind only if the exact McNemar test puts the
          best ahead with p < 0.05 in every seed; otherwise the two are reported as a tie. Where the
          two were scored on different questions (a baseline on the whole test, a method on its first
          500), both accuracies on the shared questions follow the mean. A method sharing no example
          with the best is compared by overlapping Wilson intervals instead.


        """
    }

    static func accuracyTable(_ study: Study, _ dataset: DatasetKey) -> String {
        // Planned conditions without a finished run get their column and row too, marked as such.
        let pending = study.pending.filter { $0.dataset == dataset }
        let methods = Methods.sorted(study.methods(in: dataset) + pending.map(\.method))
        var models = study.models(in: dataset)
        for p in pending where !models.contains(where: { $0.model == p.model }) { models.append((p.model, p.params)) }
        models.sort { ($0.params, $0.model) < ($1.params, $1.model) }
        var out = "## Accuracy — \(dataset)\n\n"
        out += "Mean ± sd over seeds [Wilson 95 %], number of runs in parentheses.\n\n"
        out += "| model | params | " + methods.joined(separator: " | ") + " |\n"
        out += "|---|---:|" + String(repeating: "---|", count: methods.count) + "\n"
        var marked = false
        for (model, params) in models {
            let cells = methods.map { m -> String in
                guard let s = study.summary(model: model, dataset: dataset, method: m) else {
                    guard let p = pending.first(where: { $0.model == model && $0.method == m }) else { return "—" }
                    marked = true
                    return "*\(p.status.rawValue)*"
                }
                let sd = s.sd.map { " ± " + Format.fixed($0) } ?? ""
                return Format.fixed(s.meanAccuracy) + sd + " " + Format.interval(s.interval) + " (\(s.runs.count))"
            }
            out += "| \(model) | \(Format.params(params)) | " + cells.joined(separator: " | ") + " |\n"
        }
        if marked {
            out += "\n*queued*: planned in the results database and not finished yet (queued, running or "
                + "interrupted); *failed*: ran and failed, or was refused before it started (the notes above "
                + "say why); *cancelled*: taken off the queue before it ran (the notes above say why).\n"
        }
        return out + "\n"
    }

    static func deltaTable(_ study: Study, _ dataset: DatasetKey) -> String {
        let rows = study.transfers.filter { $0.summary.dataset == dataset }
        guard !rows.isEmpty else { return "" }
        var out = "## Δ versus zero-shot — \(dataset)\n\n"
        out += "| model | method | seeds | paired examples | Δ | 95 % interval | lost | gained | p (max over seeds) | verdict |\n"
        out += "|---|---|---:|---:|---:|---|---:|---:|---:|---|\n"
        for t in rows {
            let s = t.summary
            out += "| \(s.model) | \(s.method) | \(t.comparisons.count) | \(t.pairs) | \(Format.signed(t.delta))\(t.mark) | "
            out += "\(Format.interval(t.interval, signed: true)) | \(t.lost) | \(t.gained) | \(Format.pValue(t.pValue)) | \(t.verdict.rawValue) |\n"
        }
        return out + "\n"
    }

    static func verdicts(_ study: Study) -> String {
        var out = "## Negative transfer\n\n"
        let negative = study.transfers.filter(\.isNegative)
        if negative.isEmpty { out += "No method scored below its model's zero-shot accuracy.\n" }
        for t in negative {
            let s = t.summary
            let seeds = t.comparisons.count == 1 ? "1 seed" : "\(t.comparisons.count) seeds"
            let rule = t.verdict == .negativeSignificant
                ? "significant (p < 0.05 in every seed)"
                : "not significant (largest p over seeds \(Format.pValue(t.pValue)))"
            out += "- **\(s.model), \(s.method)** on \(s.dataset): Δ = \(Format.signed(t.delta)) "
            out += "\(Format.interval(t.interval, signed: true)), \(t.lost) lost / \(t.gained) gained over \(seeds): \(rule).\n"
        }
        let fine = study.transfers.filter { !$0.isNegative }
        if !fine.isEmpty {
            // One line per task split: the same model and method usually appear on several.
            out += "\nNo negative transfer (Δ ≥ 0):\n"
            for dataset in study.datasets {
                let here = fine.filter { $0.summary.dataset == dataset }
                guard !here.isEmpty else { continue }
                out += "- on \(dataset): " + here.map { "\($0.summary.model) \($0.summary.method)" }.joined(separator: ", ") + ".\n"
            }
        }
        return out + "\n"
    }

    static func thresholds(_ study: Study) -> String {
        var out = "## Model-size thresholds\n\n"
        guard !study.thresholds.isEmpty else {
            return out + "Thresholds need at least two models with zero-shot and method runs on the same task.\n\n"
        }
        for dataset in study.datasets {
            let rows = study.thresholds.filter { $0.dataset == dataset }
            guard let first = rows.first else { continue }
            let models = study.models(in: dataset)
            out += "### \(dataset)\n\n"
            out += "| method | " + models.map { "\($0.model) (\(Format.params($0.params)))" }.joined(separator: " | ") + " | zero crossing of Δ |\n"
            out += "|---|" + String(repeating: "---:|", count: models.count) + "---|\n"
            for t in rows {
                let cells = models.map { m in t.points.first { $0.model == m.model }.map { Format.signed($0.delta) } ?? "—" }
                out += "| \(t.method) | " + cells.joined(separator: " | ") + " | \(crossingText(t)) |\n"
            }
            _ = first
            out += "\n"
        }
        return out
    }

    public static func crossingText(_ t: ThresholdResult) -> String {
        guard !t.crossings.isEmpty else {
            let lo = t.points.first!, hi = t.points.last!
            // A Δ of exactly 0 at an end is not a sign change: say where it touches zero.
            let zeros = t.points.filter { $0.delta == 0 }.map(\.model)
            let touching = zeros.isEmpty ? "" : ", 0 at " + zeros.joined(separator: ", ")
            let sign = t.points.allSatisfy { $0.delta > 0 } ? "Δ > 0 throughout"
                : t.points.allSatisfy { $0.delta < 0 } ? "Δ < 0 throughout"
                : t.points.allSatisfy { $0.delta >= 0 } ? "Δ ≥ 0 throughout" + touching
                : t.points.allSatisfy { $0.delta <= 0 } ? "Δ ≤ 0 throughout" + touching : "Δ never changes sign"
            return "no crossing in range (\(Format.params(lo.params))–\(Format.params(hi.params)); \(sign))"
        }
        return t.crossings.map { c in
            let direction = c.rising ? "from negative to positive" : "from positive to negative"
            if c.left == c.right {
                return "\(direction) at \(c.left.label) (\(Format.params(ThresholdResult.params(at: c))), Δ = 0)"
            }
            return "\(direction) at ≈ \(Format.params(ThresholdResult.params(at: c))) parameters (log10 = \(Format.fixed(c.x, 2))), "
                + "between \(c.left.label) (\(Format.signed(c.left.y))) and \(c.right.label) (\(Format.signed(c.right.y)))"
        }.joined(separator: "; ")
    }

    static func recommendations(_ study: Study) -> String {
        var out = "## Recommendations\n\n"
        for r in study.recommendations {
            out += "- " + recommendationLine(r) + "\n"
        }
        return out + "\n"
    }

    /// "tiny-135m on gsm8k (test): dora (0.425) — tie with lora (0.400) (the paired test does not
    /// separate them); ahead of zero_shot (0.175) (paired McNemar p < 0.05 in every seed)."
    public static func recommendationLine(_ r: Recommendation) -> String {
        var line = "**\(r.model)** on \(r.dataset): \(r.best.method) (\(Format.fixed(r.best.meanAccuracy)))"
        guard r.alternatives > 0 else { return line + ": the only method with finished runs — nothing to compare yet." }
        func names(_ summaries: [MethodSummary]) -> String {
            summaries.map { s in
                "\(s.method) (\(Format.fixed(s.meanAccuracy))\(onSharedExamples(r, s)))"
                    + (r.unpaired.contains(s.method) ? " [no shared examples: Wilson intervals]" : "")
            }.joined(separator: ", ")
        }
        var parts: [String] = []
        if !r.ties.isEmpty { parts.append("tie with " + names(r.ties) + " (the paired test does not separate them)") }
        if !r.behind.isEmpty {
            parts.append((r.ties.isEmpty ? "ahead of every other method: " : "ahead of ") + names(r.behind)
                         + " (paired McNemar p < 0.05 in every seed)")
        }
        line += " — " + parts.joined(separator: "; ") + "."
        return line
    }

    /// "; 0.176 against dora's 0.228 on the 500 examples both scored" when the paired test saw
    /// only part of either method's examples, so the means alone would compare different questions.
    static func onSharedExamples(_ r: Recommendation, _ s: MethodSummary) -> String {
        guard let c = r.partialOverlap[s.method], c.n > 0 else { return "" }
        let accuracy = { (correct: Int) in Format.fixed(Double(correct) / Double(c.n)) }
        let pairs = s.runs.count == 1 ? "the \(c.n) examples both scored" : "\(c.n) example pairs over \(s.runs.count) seeds"
        return "; \(accuracy(c.secondCorrect)) against \(r.best.method)'s \(accuracy(c.firstCorrect)) on \(pairs)"
    }
}

import Experiments
import Reports
import Store

/// The Store → Reports mapping: finished evaluation runs with their predictions, as `ReportRun`s.
///
/// A training run has no predictions; its score is its evaluation child (`parent_run_id` points
/// at the training run), which takes the training run's method, seed and hyper-parameters.
/// Only `done` runs count: an interrupted or failed run would enter the means with a partial,
/// possibly biased subset of examples.
struct ReportLoader {
    let store: ResultsStore
    /// `.data(…)` adds each GSM8K example's reasoning depth (the report's depth section).
    var depthSource: ReasoningDepthSource = .off

    /// Every scored run, or those whose id (or whose training run's id) is in `selected`, plus
    /// zero-shot baselines for the selected models on the selected task splits, so that
    /// `where method = full` still has the runs Δ is measured against.
    ///
    /// A run whose spec (hash) a newer selected run repeats is left out, with a note: a repeat of
    /// a deterministic run is not a new seed, and counting it twice would double the paired
    /// examples behind an interval.
    func load(selected: Set<Int64>? = nil) throws -> (runs: [ReportRun], notes: [String], pending: [PendingCondition]) {
        let all = try store.runs()
        let byID = Dictionary(uniqueKeysWithValues: all.compactMap { r in r.id.map { ($0, r) } })
        let models = Dictionary(uniqueKeysWithValues: try store.models().compactMap { m in m.id.map { ($0, m) } })
        let datasets = Dictionary(uniqueKeysWithValues: try store.datasets().compactMap { d in d.id.map { ($0, d) } })

        let scored = all.filter { $0.kind == .eval && $0.status == .done }
        var chosen = scored
        if let selected {
            chosen = scored.filter { r in selected.contains(r.id ?? -1) || r.parentRunID.map(selected.contains) == true }
            chosen += try baselines(for: chosen, among: scored, datasets: datasets)
        }
        let (kept, repeatNotes) = Self.newestPerSpec(chosen)
        let depths = reasoningSteps(datasets: Set(kept.map(\.datasetID)), records: datasets)
        let notes = repeatNotes + depths.notes
        let runs = try kept.compactMap { run -> ReportRun? in
            guard let model = models[run.modelID], let dataset = datasets[run.datasetID] else { return nil }
            return try reportRun(run, model: model, dataset: dataset, training: run.parentRunID.flatMap { byID[$0] },
                                 steps: depths.steps[run.datasetID])
        }
        let learningRates = kept.compactMap { run in run.parentRunID.flatMap { byID[$0] } }
            .reduce(into: [String: Double]()) { lrs, training in
                if let id = training.id, let lr = training.lr { lrs[String(id)] = lr }
            }
        let inSelection = all.filter { r in selected == nil || selected!.contains(r.id ?? -1) }
        let cancelled = inSelection.filter { $0.status == .cancelled }
        let failed = inSelection.filter { $0.status == .failed }
        let rates = Self.plannedRates(all)
        let pending = Self.pendingConditions(inSelection, byID: byID, models: models, datasets: datasets, rates: rates)
        return (Self.splittingLearningRates(runs, learningRates: learningRates, planned: rates),
                notes + Self.cancellationNotes(cancelled, models: models, datasets: datasets)
                    + Self.failureNotes(failed, models: models, datasets: datasets), pending)
    }

    /// One note per reason for the runs cancelled before they finished (`cancel … because …`), in
    /// the order the cancellations were made: a study shrunk part-way says in its report what was
    /// planned and dropped, and why. An evaluation cancelled with its training is counted with
    /// the training, not listed again.
    static func cancellationNotes(_ cancelled: [RunRecord], models: [Int64: ModelRecord],
                                  datasets: [Int64: DatasetRecord]) -> [String] {
        notesByReason(cancelled, title: "Cancelled before they finished", models: models, datasets: datasets)
    }

    /// One note per error for the runs that failed, or were refused before they started (a
    /// training that cannot fit this machine's memory): on a given machine that is a result, and
    /// the report says it where the table shows `failed`.
    static func failureNotes(_ failed: [RunRecord], models: [Int64: ModelRecord],
                             datasets: [Int64: DatasetRecord]) -> [String] {
        notesByReason(failed, title: "Failed or refused", models: models, datasets: datasets)
    }

    private static func notesByReason(_ cancelled: [RunRecord], title: String, models: [Int64: ModelRecord],
                                      datasets: [Int64: DatasetRecord]) -> [String] {
        let ids = Set(cancelled.compactMap(\.id))
        let shown = cancelled.filter { r in r.parentRunID.map { !ids.contains($0) } ?? true }
            .sorted { ($0.finishedAt ?? "", $0.id ?? 0) < ($1.finishedAt ?? "", $1.id ?? 0) }
        var byReason: [String: [RunRecord]] = [:]
        var order: [String] = []
        for run in shown {
            let reason = run.error ?? "no reason given"
            if byReason[reason] == nil { order.append(reason) }
            byReason[reason, default: []].append(run)
        }
        return order.map { reason in
            let runs = byReason[reason]!
            let list = runs.map { r -> String in
                let model = models[r.modelID]?.key ?? "model \(r.modelID)"
                let task = datasets[r.datasetID].map { "\($0.task)" } ?? "?"
                let what = r.kind == .train ? "\(r.method.rawValue)\(r.lr.map { " lr \($0)" } ?? "") seed \(r.seed)"
                    : r.parentRunID != nil ? "eval of run \(r.parentRunID!) on \(task)" : "\(r.method.rawValue) on \(task)"
                return "\(r.id ?? 0) (\(model) \(what))"
            }
            let children = cancelled.filter { c in c.parentRunID.map { p in runs.contains { $0.id == p } } ?? false }.count
            return "\(title), \(runs.count) run\(runs.count == 1 ? "" : "s")"
                + (children > 0 ? " (and \(children) evaluation\(children == 1 ? "" : "s") of them)" : "")
                + " — \(reason): " + list.joined(separator: ", ") + "."
        }
    }

    /// A fine-tuning method trained at several learning rates (full at 2e-5 and 1e-4) is several
    /// conditions, not seeds of one: its runs are labelled `full lr=2e-05`, `full lr=0.0001`, so
    /// means, Δs and thresholds never pool two learning rates. A method with one rate keeps its
    /// plain name. `learningRates` maps a training run's id (as text) to its rate.
    /// `planned` adds the rates of trainings still to run, so a column is split by rate from the
    /// first finished run on, not only once the second rate has finished.
    static func splittingLearningRates(_ runs: [ReportRun], learningRates: [String: Double],
                                       planned: [String: Set<Double>] = [:]) -> [ReportRun] {
        func lr(_ run: ReportRun) -> Double? { run.trainingRunID.flatMap { learningRates[String($0)] } }
        var rates = planned
        for run in runs { if let v = lr(run) { rates[run.method, default: []].insert(v) } }
        return runs.map { run in
            guard let v = lr(run), (rates[run.method]?.count ?? 0) > 1 else { return run }
            var labelled = run
            labelled.method = "\(run.method) lr=\(v)"
            return labelled
        }
    }

    /// The newest run of each spec hash, in the original order, and a note naming the repeats left out.
    static func newestPerSpec(_ runs: [RunRecord]) -> (kept: [RunRecord], notes: [String]) {
        var newest: [String: Int64] = [:]
        for r in runs { if let id = r.id { newest[r.specHash] = max(newest[r.specHash] ?? id, id) } }
        func isNewest(_ r: RunRecord) -> Bool { r.id.map { $0 == newest[r.specHash] } ?? true }
        let dropped = runs.filter { !isNewest($0) }
        guard !dropped.isEmpty else { return (runs, []) }
        let list = dropped.compactMap { r in r.id.map { "\($0) (same spec as run \(newest[r.specHash]!))" } }
        return (runs.filter(isNewest),
                ["Repeated runs are counted once, by the newest run of each spec; left out: " + list.joined(separator: ", ") + "."])
    }

    /// For each (model, task split) of `chosen` that has no zero-shot run of its own: the
    /// zero-shot runs that score the most of the chosen runs' examples, and among those the ones
    /// with the fewest examples. The study DB may hold a 64-question and a 200-question zero-shot
    /// run of one model; a `where n = 200` selection must be compared with the 200-question run
    /// alone, not with a mean that mixes both.
    private func baselines(for chosen: [RunRecord], among scored: [RunRecord],
                           datasets: [Int64: DatasetRecord]) throws -> [RunRecord] {
        func group(_ r: RunRecord) -> String? {
            datasets[r.datasetID].map { "\(r.modelID)\u{0}\($0.task)\u{0}\($0.split)" }
        }
        let covered = Set(chosen.filter { $0.method == .zeroShot && $0.parentRunID == nil }.compactMap(group))
        var wanted: [String: Set<Int>] = [:]
        for run in chosen {
            guard let g = group(run), !covered.contains(g), let id = run.id else { continue }
            wanted[g, default: []].formUnion(try store.existingExampleIndices(runID: id))
        }
        var picked: [RunRecord] = []
        for (g, examples) in wanted.sorted(by: { $0.key < $1.key }) {
            let candidates = try scored.filter { $0.method == .zeroShot && $0.parentRunID == nil && group($0) == g }
                .compactMap { run -> (run: RunRecord, shared: Int, size: Int)? in
                    guard let id = run.id else { return nil }
                    let indices = try store.existingExampleIndices(runID: id)
                    return (run, indices.intersection(examples).count, indices.count)
                }
            guard let best = candidates.max(by: { ($0.shared, -$0.size) < ($1.shared, -$1.size) }) else { continue }
            picked += candidates.filter { $0.shared == best.shared && $0.size == best.size }.map(\.run)
        }
        return picked
    }

    /// One run by id, whatever its status (for `compare`, which takes the runs the user names).
    func run(_ id: Int64) throws -> ReportRun {
        guard let run = try store.run(id: id) else { throw ReportError("no run with id \(id)") }
        guard let model = try store.models().first(where: { $0.id == run.modelID }),
              let dataset = try store.datasets().first(where: { $0.id == run.datasetID }) else {
            throw ReportError("run \(id) points at a model or dataset that is missing")
        }
        return try reportRun(run, model: model, dataset: dataset, training: try run.parentRunID.flatMap { try store.run(id: $0) })
    }

    private func reportRun(_ run: RunRecord, model: ModelRecord, dataset: DatasetRecord, training: RunRecord?,
                           steps: [Int: Int]? = nil) throws -> ReportRun {
        let id = run.id ?? 0
        let settings = training ?? run
        let outcomes = try store.predictions(runID: id).map {
            PredictionOutcome(exampleIndex: $0.exampleIndex, correct: $0.correct, prompt: $0.prompt,
                              output: $0.output, extracted: $0.extracted, gold: $0.gold, outputTokens: $0.outputTokens,
                              reasoningSteps: steps?[$0.exampleIndex])
        }
        return ReportRun(
            id: id, model: model.key, family: model.family, params: model.params, modelHash: model.sha256,
            task: dataset.task, split: dataset.split, datasetHash: dataset.sha256,
            method: settings.method.rawValue, seed: settings.seed, trainingRunID: training?.id,
            config: Self.config(settings, eval: run), engineVersion: run.engineVersion,
            startedAt: run.startedAt, finishedAt: run.finishedAt, maxNewTokens: Self.generationCap(run.specJSON),
            outcomes: outcomes)
    }

    /// The cap on new tokens of a generative evaluation, from its spec; nil for a run scored by
    /// likelihood (its primary rule is a choice rule: its token counts are the chosen answer's,
    /// never cut off) and for a run whose spec is not an evaluation's (imported runs).
    static func generationCap(_ specJSON: String) -> Int? {
        guard let spec = try? ExperimentSpec.fromJSON(specJSON), ChoiceRule(rawValue: spec.primaryRule) == nil else { return nil }
        return spec.maxNewTokens
    }

    /// Hyper-parameters in one line: the prompt settings of the evaluation, then the training
    /// settings (from the training run when there is one).
    static func config(_ settings: RunRecord, eval: RunRecord) -> String {
        var parts: [String] = []
        if let f = eval.promptFormat { parts.append("format=\(f)") }
        if eval.shots > 0 { parts.append("shots=\(eval.shots)") }
        if let v = settings.lr { parts.append("lr=\(v)") }
        if let v = settings.rank { parts.append("rank=\(v)") }
        if let v = settings.alpha { parts.append("alpha=\(Self.number(v))") }
        if let v = settings.epochs { parts.append("epochs=\(Self.number(v))") }
        if let v = settings.steps { parts.append("steps=\(v)") }
        if let v = settings.batchSize { parts.append("batch=\(v)") }
        return parts.joined(separator: " ")
    }

    /// 16.0 → "16", 0.5 → "0.5".
    static func number(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x)
    }
}

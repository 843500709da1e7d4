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

    /// Every scored run, or those whose id (or whose training run's id) is in `selected`, plus
    /// the zero-shot runs of the selected models on the selected task splits, so that
    /// `where method = full` still has the baselines Δ is measured against.
    func load(selected: Set<Int64>? = nil) throws -> [ReportRun] {
        let all = try store.runs()
        let byID = Dictionary(uniqueKeysWithValues: all.compactMap { r in r.id.map { ($0, r) } })
        let models = Dictionary(uniqueKeysWithValues: try store.models().compactMap { m in m.id.map { ($0, m) } })
        let datasets = Dictionary(uniqueKeysWithValues: try store.datasets().compactMap { d in d.id.map { ($0, d) } })

        let scored = all.filter { $0.kind == .eval && $0.status == .done }
        var chosen = scored
        if let selected {
            chosen = scored.filter { r in selected.contains(r.id ?? -1) || r.parentRunID.map(selected.contains) == true }
            let groups = Set(chosen.compactMap { r in datasets[r.datasetID].map { "\(r.modelID)\u{0}\($0.task)\u{0}\($0.split)" } })
            let baselines = scored.filter { r in
                r.method == .zeroShot && r.parentRunID == nil && !chosen.contains(r)
                    && datasets[r.datasetID].map { groups.contains("\(r.modelID)\u{0}\($0.task)\u{0}\($0.split)") } == true
            }
            chosen += baselines
        }
        return try chosen.compactMap { run in
            guard let model = models[run.modelID], let dataset = datasets[run.datasetID] else { return nil }
            return try reportRun(run, model: model, dataset: dataset, training: run.parentRunID.flatMap { byID[$0] })
        }
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

    private func reportRun(_ run: RunRecord, model: ModelRecord, dataset: DatasetRecord, training: RunRecord?) throws -> ReportRun {
        let id = run.id ?? 0
        let settings = training ?? run
        let outcomes = try store.predictions(runID: id).map {
            PredictionOutcome(exampleIndex: $0.exampleIndex, correct: $0.correct, prompt: $0.prompt,
                              output: $0.output, extracted: $0.extracted, gold: $0.gold)
        }
        return ReportRun(
            id: id, model: model.key, family: model.family, params: model.params, modelHash: model.sha256,
            task: dataset.task, split: dataset.split, datasetHash: dataset.sha256,
            method: settings.method.rawValue, seed: settings.seed, trainingRunID: training?.id,
            config: Self.config(settings, eval: run), engineVersion: run.engineVersion,
            startedAt: run.startedAt, finishedAt: run.finishedAt, outcomes: outcomes)
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

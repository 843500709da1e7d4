import Experiments
import Foundation
import Store

/// Compute left in a work queue (`ftlab work --estimate`, and the line `work` prints when it
/// starts). Rates come from this database's own finished runs where it has them — seconds per
/// example of the model's evaluations of the task (untouched or tuned, zero- or few-shot: a tuned
/// model or a few-shot prompt changes how much is generated), seconds per step of its trainings by
/// method — else from the rough reference rates the sweep planner uses. Measured rates carry
/// whatever else shared the machine while they ran.
public struct QueueEstimate {
    struct Sweep: Equatable {
        var id: Int64
        var name: String
        var runs = 0
        var trainings = 0
        var seconds: Double = 0
        /// How many of the runs were timed by rates measured in this database.
        var measured = 0
    }

    var sweeps: [Sweep] = []
    /// Each training's estimate (its steps left and the evaluation it runs after), by run id:
    /// `work --for` starts only the trainings that fit in the time left.
    var trainingSeconds: [Int64: Double] = [:]
    var total: Sweep { sweeps.reduce(into: Sweep(id: 0, name: "total")) { t, s in
        t.runs += s.runs; t.trainings += s.trainings; t.seconds += s.seconds; t.measured += s.measured
    } }

    private struct EvalKey: Hashable { let model: Int64; let task: String; let fewShot: Bool; let tuned: Bool }
    private struct TrainKey: Hashable { let model: Int64; let method: RunMethod }

    /// Times the unfinished runs among `pending` (from `ResultsStore.unfinishedSweepRuns`).
    static func make(pending: [RunRecord], store: ResultsStore) throws -> QueueEstimate {
        let all = try store.runs()
        let models = Dictionary(uniqueKeysWithValues: try store.models().compactMap { m in m.id.map { ($0, m) } })
        let datasets = Dictionary(uniqueKeysWithValues: try store.datasets().compactMap { d in d.id.map { ($0, d) } })
        let byID = Dictionary(uniqueKeysWithValues: all.compactMap { r in r.id.map { ($0, r) } })

        // Measured rates: Σ seconds / Σ examples (evaluations), Σ seconds / Σ steps (trainings).
        var evalSums: [EvalKey: (seconds: Double, n: Double)] = [:]
        var trainSums: [TrainKey: (seconds: Double, steps: Double)] = [:]
        for run in all where run.status == .done {
            guard let seconds = run.wallSeconds, seconds > 0 else { continue }
            if run.kind == .eval, let n = run.n, n > 0, let task = datasets[run.datasetID]?.task {
                let key = EvalKey(model: run.modelID, task: task, fewShot: run.shots > 0, tuned: run.parentRunID != nil)
                evalSums[key, default: (0, 0)].seconds += seconds
                evalSums[key, default: (0, 0)].n += Double(n)
            } else if run.kind == .train, let steps = run.steps, steps > 0 {
                trainSums[TrainKey(model: run.modelID, method: run.method), default: (0, 0)].seconds += seconds
                trainSums[TrainKey(model: run.modelID, method: run.method), default: (0, 0)].steps += Double(steps)
            }
        }
        func params(_ model: Int64) -> Double { Double(max(1, models[model]?.params ?? 1)) }
        /// The model measured on the same kind of work whose size is nearest (in log parameters),
        /// and the ratio to scale its rate by: compute grows about linearly with parameters.
        func nearest(_ model: Int64, among measured: [Int64]) -> (model: Int64, scale: Double)? {
            measured.min { abs(log(params($0) / params(model))) < abs(log(params($1) / params(model))) }
                .map { ($0, params(model) / params($0)) }
        }
        func evalRate(_ key: EvalKey) -> Double? {
            // The exact kind first, then the same prompting tuned or not, then any run of the task;
            // failing all, the same kind measured on the nearest model in size, scaled.
            if let s = evalSums[key] { return s.seconds / s.n }
            let near = evalSums.filter { $0.key.model == key.model && $0.key.task == key.task }
            let sameShots = near.filter { $0.key.fewShot == key.fewShot }
            let pool = sameShots.isEmpty ? near : sameShots
            if !pool.isEmpty { return pool.values.reduce(0) { $0 + $1.seconds } / pool.values.reduce(0) { $0 + $1.n } }
            let others = evalSums.keys.filter { $0.task == key.task && $0.fewShot == key.fewShot && $0.tuned == key.tuned }
            guard let (model, scale) = nearest(key.model, among: others.map(\.model)),
                  let s = evalSums[EvalKey(model: model, task: key.task, fewShot: key.fewShot, tuned: key.tuned)] else { return nil }
            return s.seconds / s.n * scale
        }
        func trainRate(_ key: TrainKey) -> Double? {
            if let s = trainSums[key] { return s.seconds / s.steps }
            let others = trainSums.keys.filter { $0.method == key.method }
            guard let (model, scale) = nearest(key.model, among: others.map(\.model)),
                  let s = trainSums[TrainKey(model: model, method: key.method)] else { return nil }
            return s.seconds / s.steps * scale
        }
        func examples(_ spec: ExperimentSpec, size: Int?) -> Int {
            let n = size ?? spec.limit ?? 0
            return min(n, spec.limit ?? n)
        }
        func datasetSize(task: String, split: String?) -> Int? {
            let split = split ?? (try? TaskCatalog.spec(task))?.evalSplit
            return datasets.values.first { $0.task == task && $0.split == split }?.size
        }

        var estimate = QueueEstimate()
        var names: [Int64: String] = [:]
        for (id, name) in try store.sweepList() { names[id] = name ?? String(id) }
        var index: [Int64: Int] = [:]
        for run in pending {
            guard let id = run.id else { continue }
            let sweepID = run.sweepID ?? (run.parentRunID.flatMap { byID[$0]?.sweepID }) ?? 0
            if index[sweepID] == nil {
                index[sweepID] = estimate.sweeps.count
                estimate.sweeps.append(Sweep(id: sweepID, name: names[sweepID] ?? String(sweepID)))
            }
            let parameters = Int(models[run.modelID]?.params ?? 0)
            var seconds: Double = 0, measured = true
            if run.kind == .eval {
                guard let spec = try? ExperimentSpec.fromJSON(run.specJSON) else { continue }
                let left = max(0, examples(spec, size: datasets[run.datasetID]?.size) - (try store.existingExampleIndices(runID: id)).count)
                let key = EvalKey(model: run.modelID, task: spec.task, fewShot: spec.shots > 0, tuned: run.parentRunID != nil)
                if let rate = evalRate(key) { seconds = Double(left) * rate } else {
                    measured = false
                    seconds = SweepTimeEstimate.evaluation(spec, examples: left, parameters: parameters)
                }
            } else {
                guard let spec = try? TrainSpec.fromJSON(run.specJSON) else { continue }
                let total = spec.maxSteps ?? run.steps ?? 100
                let done = (try store.trainSteps(runID: id)).map(\.step).max() ?? 0
                let left = max(0, total - done)
                if let rate = trainRate(TrainKey(model: run.modelID, method: run.method)) {
                    seconds = Double(left) * rate
                } else {
                    measured = false
                    seconds = SweepTimeEstimate.training(spec, parameters: parameters) * Double(left) / Double(max(1, total))
                }
                if let eval = spec.thenEval {
                    let n = examples(eval, size: datasetSize(task: eval.task, split: eval.split))
                    if let rate = evalRate(EvalKey(model: run.modelID, task: eval.task, fewShot: eval.shots > 0, tuned: true)) {
                        seconds += Double(n) * rate
                    } else {
                        measured = false
                        seconds += SweepTimeEstimate.evaluation(eval, examples: n, parameters: parameters)
                    }
                }
                estimate.sweeps[index[sweepID]!].trainings += 1
                estimate.trainingSeconds[id] = seconds
            }
            estimate.sweeps[index[sweepID]!].runs += 1
            estimate.sweeps[index[sweepID]!].seconds += seconds
            if measured { estimate.sweeps[index[sweepID]!].measured += 1 }
        }
        return estimate
    }

    /// A table per sweep and a total, for `ftlab work --estimate`.
    func table() -> String {
        guard !sweeps.isEmpty else { return "nothing left to run\n" }
        let rows = sweeps + [total]
        let width = max(5, rows.map(\.name.count).max() ?? 5)
        func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
        var out = pad("sweep", width) + "  runs  trainings  compute left    timed by measured rates\n"
        for s in rows {
            out += pad(s.name, width) + String(format: "  %4d  %9d  ", s.runs, s.trainings)
                + pad(SweepTimeEstimate.describe(s.seconds), 14) + "  \(s.measured) of \(s.runs)\n"
        }
        out += "Rates come from this database's finished runs of the same model and task, or of the nearest model\n"
            + "in size scaled by parameters (they include any load that shared the machine); runs not timed that\n"
            + "way use the reference machine's rough rates.\n"
        return out
    }

    /// One line for the start of `ftlab work`.
    public var summary: String {
        let t = total
        guard t.runs > 0 else { return "queue: nothing left to run" }
        return "queue: \(t.runs) run\(t.runs == 1 ? "" : "s") left (\(t.trainings) training\(t.trainings == 1 ? "" : "s")), "
            + "\(SweepTimeEstimate.describe(t.seconds)) of compute by this database's rates"
    }
}

import Experiments
import Reports
import Store

// The conditions a study plans but has not finished, for the accuracy tables' `queued` and
// `cancelled` cells.
extension ReportLoader {
    /// One condition per unfinished run among `runs` (queued, running, interrupted, failed or
    /// cancelled; an evaluation waiting on a failed training counts as failed):
    /// an evaluation by its dataset, a training by the task and split of its first evaluation; a
    /// tuned model's evaluation takes its training's method, labelled with the learning rate where
    /// the report labels that method's columns by rate (`rates`: the rates each method is run at).
    static func pendingConditions(_ runs: [RunRecord], byID: [Int64: RunRecord], models: [Int64: ModelRecord],
                                  datasets: [Int64: DatasetRecord], rates: [String: Set<Double>]) -> [PendingCondition] {
        runs.compactMap { run -> PendingCondition? in
            var status: PendingCondition.Status
            switch run.status {
            case .queued, .running, .interrupted: status = .queued
            case .failed: status = .failed
            case .cancelled: status = .cancelled
            case .done: return nil
            }
            if status == .queued, let parent = run.parentRunID.flatMap({ byID[$0] }), parent.status == .failed { status = .failed }
            guard let model = models[run.modelID], let key = dataset(of: run, datasets: datasets) else { return nil }
            let training = run.kind == .train ? run : run.parentRunID.flatMap { byID[$0] }
            var method = (training ?? run).method.rawValue
            if let lr = training?.lr, (rates[method]?.count ?? 0) > 1 { method += " lr=\(lr)" }
            return PendingCondition(model: model.key, params: model.params, dataset: key, method: method, status: status)
        }
    }

    /// The learning rates of the trainings among `runs` that are finished or still to run (a
    /// cancelled rate does not split a method's column), by method.
    static func plannedRates(_ runs: [RunRecord]) -> [String: Set<Double>] {
        runs.filter { $0.kind == .train && $0.status != .cancelled && $0.status != .failed }
            .reduce(into: [:]) { rates, run in if let lr = run.lr { rates[run.method.rawValue, default: []].insert(lr) } }
    }

    /// The task split a run scores: its own dataset for an evaluation, its first evaluation's for
    /// a training (its own dataset is the training split).
    private static func dataset(of run: RunRecord, datasets: [Int64: DatasetRecord]) -> DatasetKey? {
        guard run.kind == .train else {
            return datasets[run.datasetID].map { DatasetKey(task: $0.task, split: $0.split) }
        }
        guard let eval = (try? TrainSpec.fromJSON(run.specJSON))?.thenEval else { return nil }
        let split = eval.split ?? (try? TaskCatalog.spec(eval.task))?.evalSplit ?? "test"
        return DatasetKey(task: eval.task, split: split)
    }
}

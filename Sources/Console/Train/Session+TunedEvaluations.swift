import Engine
import Experiments
import Foundation
import QueryLanguage
import Store

// `train … then eval on A … then eval on B …`: the first evaluation belongs to the training's
// spec (it runs as soon as training ends); the others are extra evaluations of the same tuned
// model — child runs of the training run, queued and claimable by `ftlab work` once the
// training is done, or run right away by a `train` statement. Each is matched by its own spec,
// so adding an evaluation to a finished training (a forgetting probe, say) reuses the training.
extension Session {
    /// The spec of one `then eval …` clause: the base model's key and path (the tuned model is
    /// rebuilt from the training run's checkpoint), multiple-choice tasks scored by `acc`.
    static func tunedEvalSpec(_ e: EvalCommand, model: String, modelPath: String) throws -> ExperimentSpec {
        var eval = ExperimentSpec(model: model, modelPath: modelPath, task: e.task, split: e.split, shots: e.shots,
                                  fixed: e.fixed, chat: e.chat, limit: e.limit, seed: UInt64(e.seed ?? 0))
        if let t = e.maxTokens { eval.maxNewTokens = t }
        if let w = e.batch { eval.batchSize = w }
        if e.fp32 { eval.weights = WeightPrecision.fp32.rawValue }
        if try TaskCatalog.spec(e.task).kind == .multipleChoice { eval.primaryRule = ChoiceRule.acc.rawValue }
        return eval
    }

    /// The specs of the `then eval …` clauses after the first.
    static func extraEvalSpecs(_ c: TrainCommand, modelPath: String) throws -> [ExperimentSpec] {
        try c.moreEvals.map { try tunedEvalSpec($0, model: c.model, modelPath: modelPath) }
    }

    /// The evaluation child of a training run with this spec (the decoding width aside).
    func childEvaluation(of trainRunID: Int64, matching spec: ExperimentSpec) throws -> RunRecord? {
        let identity = spec.identityHash()
        return try store.runs().last {
            $0.parentRunID == trainRunID && $0.kind == .eval && $0.status != .failed
                && (try? ExperimentSpec.fromJSON($0.specJSON).identityHash()) == identity
        }
    }

    /// Queues, as children of `train`, the evaluations among `specs` it does not have yet.
    /// Returns the new runs with a label each.
    func queueChildEvaluations(_ specs: [ExperimentSpec], of train: RunRecord, sweepID: Int64?) throws -> [(RunRecord, String)] {
        guard let trainID = train.id else { return [] }
        var queued: [(RunRecord, String)] = []
        for spec in specs where try childEvaluation(of: trainID, matching: spec) == nil {
            var record = RunRows.queuedEvaluation(spec)
            record.specHash = RunRows.childEvalHash(parentSpecHash: train.specHash, spec: spec)
            record.parentRunID = trainID
            record.method = train.method
            record.modelID = train.modelID
            record.sweepID = sweepID ?? train.sweepID
            let data = try TaskCatalog.load(task: spec.task, split: spec.split, dataDirectory: dataDirectory)
            record.datasetID = try store.upsertDataset(DatasetRecord(task: data.task, split: data.split, size: data.count,
                                                                     sha256: data.sha256, path: data.path))
            record.id = try store.insertRun(record)
            queued.append((record, "eval of run \(trainID) (\(train.method.rawValue)) on \(spec.task)/\(data.split)"
                           + (spec.limit.map { " limit \($0)" } ?? "")))
        }
        return queued
    }

    /// Runs every evaluation among `specs` that the finished training run `trainRunID` has not
    /// finished: queued first if missing, then run (or resumed) on the tuned model.
    func runChildEvaluations(_ specs: [ExperimentSpec], of trainRunID: Int64) throws {
        guard !specs.isEmpty, let train = try store.run(id: trainRunID), train.status == .done else { return }
        _ = try queueChildEvaluations(specs, of: train, sweepID: nil)
        for spec in specs {
            guard let child = try childEvaluation(of: trainRunID, matching: spec), let id = child.id else { continue }
            if child.status == .done {
                emit("reusing " + Self.describe(child))
            } else {
                try resumeRun(id)
            }
        }
    }
}

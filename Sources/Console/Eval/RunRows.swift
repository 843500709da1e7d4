import Experiments
import Foundation
import Store

/// Row work every store sink shares: the model and dataset rows a new run points at, and taking
/// over a run that is being resumed.
enum RunRows {
    /// Upserts the run's model (with its file hash) and dataset; returns their ids.
    static func modelAndDataset(_ model: EvalModelInfo, _ dataset: Dataset, store: ResultsStore) throws -> (model: Int64, dataset: Int64) {
        // A registered adapter's row stays as `models add` wrote it (its path is the adapter's).
        let adapter = try store.models().first { $0.key == model.key && $0.baseModelID != nil }
        let modelID = try adapter?.id ?? store.upsertModel(ModelRecord(
            key: model.key, family: model.family, params: Int64(model.parameters),
            path: model.path, format: "gguf", sha256: try ModelFileHash.sha256(path: model.path)))
        let datasetID = try store.upsertDataset(DatasetRecord(
            task: dataset.task, split: dataset.split, size: dataset.count, sha256: dataset.sha256, path: dataset.path))
        return (modelID, datasetID)
    }

    /// A training run queued by a sweep (model and dataset ids filled in by the caller). Its uuid
    /// is its checkpoint folder's name, as for a run started directly.
    static func queuedTraining(_ spec: TrainSpec, totalSteps: Int?) -> RunRecord {
        let method: RunMethod = spec.method == .full ? .full : spec.method == .lora ? .lora : .dora
        var run = RunRecord(
            specHash: spec.identityHash(), modelID: 0, datasetID: 0, method: method, kind: .train,
            promptFormat: PromptFormat.questionAnswer.rawValue, lr: spec.learningRate,
            rank: spec.method == .full ? nil : spec.rank, alpha: spec.method == .full ? nil : Double(spec.alpha),
            epochs: spec.maxSteps == nil ? Double(spec.epochs) : nil, steps: totalSteps,
            batchSize: spec.batchSize, seed: Int64(bitPattern: spec.seed), specJSON: spec.json(), status: .queued,
            engineVersion: EvalModel.engineVersion, host: ProcessProbe.host)
        if let uuid = UUID(uuidString: (spec.outputDirectory as NSString).lastPathComponent) {
            run.uuid = uuid.uuidString.lowercased()
        }
        return run
    }

    /// An evaluation queued by a sweep.
    static func queuedEvaluation(_ spec: ExperimentSpec) -> RunRecord {
        let json = spec.json()
        return RunRecord(
            specHash: spec.identityHash(), modelID: 0, datasetID: 0, method: spec.shots > 0 ? .fewShot : .zeroShot,
            kind: .eval, promptFormat: spec.promptFormat.rawValue, shots: spec.shots, batchSize: spec.batchSize,
            seed: Int64(bitPattern: spec.seed), specJSON: json, status: .queued,
            engineVersion: EvalModel.engineVersion, host: ProcessProbe.host)
    }

    /// The spec hash of the evaluation of a tuned model: a different experiment from the same
    /// evaluation of the base model, so its identity includes the training run's.
    static func childEvalHash(parentSpecHash: String, spec: ExperimentSpec) -> String {
        var canonical = spec
        canonical.batchSize = ExperimentSpec.defaultBatchSize
        return SHA256.hex(parentSpecHash + "\n" + canonical.json())
    }

    /// Marks a resumed run as running again in this process.
    static func reopen(_ run: RunRecord, store: ResultsStore) throws {
        var run = run
        run.status = .running
        run.pid = ProcessProbe.pid
        run.host = ProcessProbe.host
        run.finishedAt = nil
        run.error = nil
        try store.updateRun(run)
    }
}

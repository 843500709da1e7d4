import Experiments
import Foundation
import Store

/// Row work every store sink shares: the model and dataset rows a new run points at, and taking
/// over a run that is being resumed.
enum RunRows {
    /// Upserts the run's model (with its file hash) and dataset; returns their ids.
    static func modelAndDataset(_ model: EvalModelInfo, _ dataset: Dataset, store: ResultsStore) throws -> (model: Int64, dataset: Int64) {
        let modelID = try store.upsertModel(ModelRecord(
            key: model.key, family: model.family, params: Int64(model.parameters),
            path: model.path, format: "gguf", sha256: try ModelFileHash.sha256(path: model.path)))
        let datasetID = try store.upsertDataset(DatasetRecord(
            task: dataset.task, split: dataset.split, size: dataset.count, sha256: dataset.sha256, path: dataset.path))
        return (modelID, datasetID)
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

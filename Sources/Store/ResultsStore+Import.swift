import GRDB

/// What storing one imported run did.
public enum ImportOutcome: Equatable, Sendable {
    /// Stored as run `id` with this many predictions.
    case added(id: Int64, predictions: Int)
    /// A run with the same uuid (the same files' content hash) is already here: nothing written.
    case alreadyPresent(id: Int64)
}

// Runs made by other tools (lm-evaluation-harness). Their uuid is derived from the imported
// files' content, so importing the same files again finds the run by uuid and writes nothing —
// the same idempotence `merge` has for ftlab's own shards.
extension ResultsStore {
    /// Inserts a finished run and its predictions in one transaction, unless a run with the
    /// same uuid exists. `run.modelID` and `run.datasetID` must already point at stored rows;
    /// each prediction's `runID` is replaced by the new run's id.
    public func importRun(_ run: RunRecord, predictions: [PredictionRecord]) throws -> ImportOutcome {
        try write { db in
            if let existing = try Int64.fetchOne(db, sql: "SELECT id FROM runs WHERE uuid = ?", arguments: [run.uuid]) {
                return .alreadyPresent(id: existing)
            }
            var inserted = run
            inserted.id = nil
            try inserted.insert(db)
            let id = inserted.id ?? db.lastInsertedRowID
            for prediction in predictions {
                var row = prediction
                row.id = nil
                row.runID = id
                try row.insert(db)
            }
            return .added(id: id, predictions: predictions.count)
        }
    }
}

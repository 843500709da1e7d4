import GRDB

// Typed reads of whole records, for the runners and reports (the REPL goes through `select`).
extension ResultsStore {
    public func run(id: Int64) throws -> RunRecord? {
        try read { db in try RunRecord.fetchOne(db, key: id) }
    }

    /// The run with this uuid (stable across databases: shards, merges).
    public func run(uuid: String) throws -> RunRecord? {
        try read { db in try RunRecord.filter(Column("uuid") == uuid).fetchOne(db) }
    }

    /// The newest finished run of `kind` made from the spec with this hash (`spec_hash`) that is
    /// not the evaluation of a training run.
    public func finishedRun(specHash: String, kind: RunKind) throws -> RunRecord? {
        try read { db in
            try RunRecord.filter(Column("spec_hash") == specHash && Column("kind") == kind.rawValue
                                 && Column("status") == RunStatus.done.rawValue && Column("parent_run_id") == nil)
                .order(Column("id").desc).fetchOne(db)
        }
    }

    /// All runs, oldest first.
    public func runs() throws -> [RunRecord] {
        try read { db in try RunRecord.order(Column("id")).fetchAll(db) }
    }

    /// A run's predictions in example order.
    public func predictions(runID: Int64) throws -> [PredictionRecord] {
        try read { db in
            try PredictionRecord.filter(Column("run_id") == runID)
                .order(Column("example_index")).fetchAll(db)
        }
    }

    /// The example indices a run already has, so a resumed run skips them.
    public func existingExampleIndices(runID: Int64) throws -> Set<Int> {
        try read { db in
            try Int.fetchSet(db, sql: "SELECT example_index FROM predictions WHERE run_id = ?",
                             arguments: [runID])
        }
    }

    public func trainSteps(runID: Int64) throws -> [TrainStepRecord] {
        try read { db in
            try TrainStepRecord.filter(Column("run_id") == runID).order(Column("step")).fetchAll(db)
        }
    }

    public func checkpoints(runID: Int64) throws -> [CheckpointRecord] {
        try read { db in
            try CheckpointRecord.filter(Column("run_id") == runID)
                .order(Column("step"), Column("id")).fetchAll(db)
        }
    }

    public func models() throws -> [ModelRecord] {
        try read { db in try ModelRecord.order(Column("id")).fetchAll(db) }
    }

    public func datasets() throws -> [DatasetRecord] {
        try read { db in try DatasetRecord.order(Column("id")).fetchAll(db) }
    }
}

import GRDB

// Writes. Each public method is one transaction: it all lands or none of it does.
extension ResultsStore {
    /// Inserts the model, or updates the one with the same `key` (keeping its id and added_at).
    @discardableResult
    public func upsertModel(_ model: ModelRecord) throws -> Int64 {
        try write { db in
            if var existing = try ModelRecord.filter(Column("key") == model.key).fetchOne(db) {
                existing.family = model.family
                existing.params = model.params
                existing.path = model.path
                existing.format = model.format
                existing.sha256 = model.sha256
                existing.baseModelID = model.baseModelID
                try existing.update(db)
                return existing.id ?? db.lastInsertedRowID
            }
            var inserted = model
            inserted.id = nil
            try inserted.insert(db)
            return inserted.id ?? db.lastInsertedRowID
        }
    }

    /// Inserts the dataset, or updates the one with the same task, split and sha256.
    @discardableResult
    public func upsertDataset(_ dataset: DatasetRecord) throws -> Int64 {
        try write { db in
            let same = DatasetRecord.filter(Column("task") == dataset.task
                && Column("split") == dataset.split && Column("sha256") == dataset.sha256)
            if var existing = try same.fetchOne(db) {
                existing.size = dataset.size
                existing.path = dataset.path
                try existing.update(db)
                return existing.id ?? db.lastInsertedRowID
            }
            var inserted = dataset
            inserted.id = nil
            try inserted.insert(db)
            return inserted.id ?? db.lastInsertedRowID
        }
    }

    /// Inserts a run and returns its id.
    @discardableResult
    public func insertRun(_ run: RunRecord) throws -> Int64 {
        try write { db in
            var inserted = run
            try inserted.insert(db)
            return inserted.id ?? db.lastInsertedRowID
        }
    }

    /// Inserts a run unless another with the same spec hash and kind is being executed by a live
    /// process (on this host: `isAlive(pid)`; on another host: assumed live), which throws
    /// `alreadyRunning`. The check and the insert are one immediate transaction, so of two
    /// processes starting the same spec at the same moment exactly one runs it.
    public func insertRunExclusively(_ run: RunRecord, isAlive: (Int32) -> Bool) throws -> Int64 {
        if isReadOnly { throw readOnlyError }
        do {
            return try writer.writeWithoutTransaction { db -> Int64 in
                var id: Int64 = 0
                try db.inTransaction(.immediate) {
                    let running = try RunRecord.filter(Column("spec_hash") == run.specHash && Column("kind") == run.kind.rawValue
                                                       && Column("status") == RunStatus.running.rawValue)
                        .order(Column("id")).fetchAll(db)
                    if let live = running.first(where: { $0.host != run.host || $0.pid.map(isAlive) ?? true }), let liveID = live.id {
                        throw StoreError.alreadyRunning(id: liveID, pid: live.pid, host: live.host)
                    }
                    var inserted = run
                    try inserted.insert(db)
                    id = inserted.id ?? db.lastInsertedRowID
                    return .commit
                }
                return id
            }
        } catch {
            throw StoreError.wrap(error)
        }
    }

    /// Replaces every column of an existing run (found by `run.id`).
    public func updateRun(_ run: RunRecord) throws {
        guard let id = run.id else { throw StoreError.noSuchRun(-1) }
        try write { db in
            guard try RunRecord.exists(db, key: id) else { throw StoreError.noSuchRun(id) }
            try run.update(db)
        }
    }

    /// Marks a run finished (done, failed or interrupted), stamps finished_at and stores the
    /// summary fields that are given (nil fields leave the stored value alone).
    public func finishRun(id: Int64, status: RunStatus, summary: RunSummary = RunSummary(),
                          error: String? = nil) throws {
        try write { db in
            guard var run = try RunRecord.fetchOne(db, key: id) else { throw StoreError.noSuchRun(id) }
            run.status = status
            run.finishedAt = Timestamp.now()
            if let error { run.error = error }
            if let n = summary.n { run.n = n }
            if let correct = summary.correct { run.correct = correct }
            if let accuracy = summary.accuracy { run.accuracy = accuracy }
            if let wallSeconds = summary.wallSeconds { run.wallSeconds = wallSeconds }
            if let tokens = summary.tokensGenerated { run.tokensGenerated = tokens }
            if let rss = summary.peakRSSBytes { run.peakRSSBytes = rss }
            if let metrics = summary.metricsJSON { run.metricsJSON = metrics }
            try run.update(db)
        }
    }

    /// Inserts a batch of predictions in one transaction. A duplicate (run_id, example_index),
    /// within the batch or against stored rows, fails the whole batch: none of it is written.
    public func insertPredictions(_ predictions: [PredictionRecord]) throws {
        try write { db in
            for prediction in predictions {
                var row = prediction
                try row.insert(db)
            }
        }
    }

    /// Inserts a batch of training-step metrics in one transaction.
    public func insertTrainSteps(_ steps: [TrainStepRecord]) throws {
        try write { db in
            for step in steps {
                var row = step
                try row.insert(db)
            }
        }
    }

    /// Removes a run's steps after `step` (a resumed training run redoes them from its checkpoint),
    /// and its checkpoints after that step. Returns the number of step rows removed.
    @discardableResult
    public func deleteTrainSteps(runID: Int64, after step: Int) throws -> Int {
        try write { db in
            try CheckpointRecord.filter(Column("run_id") == runID && Column("step") > step).deleteAll(db)
            return try TrainStepRecord.filter(Column("run_id") == runID && Column("step") > step).deleteAll(db)
        }
    }

    /// Inserts a checkpoint and returns its id.
    @discardableResult
    public func insertCheckpoint(_ checkpoint: CheckpointRecord) throws -> Int64 {
        try write { db in
            var inserted = checkpoint
            try inserted.insert(db)
            return inserted.id ?? db.lastInsertedRowID
        }
    }

    /// Runs still marked `running` on `host` whose process is gone become `interrupted`
    /// (a crash or kill never reached `finishRun`). Returns the ids it changed.
    /// Runs without a pid are left alone: nothing tells whether they are still alive.
    @discardableResult
    public func markStaleRunsInterrupted(host: String, isAlive: (Int32) -> Bool) throws -> [Int64] {
        try write { db in
            let running = try RunRecord
                .filter(Column("status") == RunStatus.running.rawValue && Column("host") == host
                        && Column("pid") != nil)
                .fetchAll(db)
            var changed: [Int64] = []
            for var run in running {
                guard let pid = run.pid, !isAlive(pid), let id = run.id else { continue }
                run.status = .interrupted
                if run.error == nil { run.error = "process \(pid) ended before the run finished" }
                try run.update(db)
                changed.append(id)
            }
            return changed
        }
    }
}

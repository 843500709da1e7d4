import Foundation
import GRDB

/// What a merge did.
public struct MergeReport: Equatable, Sendable {
    public var runsAdded = 0
    /// Queued placeholders (a sweep emitted for Slurm) filled with the shard's run.
    public var runsFilled = 0
    /// Runs already present with the same content.
    public var runsUnchanged = 0
    public var predictions = 0
    public var steps = 0
    public var checkpoints = 0

    public var summary: String {
        var parts = ["\(runsAdded) runs added"]
        if runsFilled > 0 { parts.append("\(runsFilled) queued runs filled") }
        parts.append("\(runsUnchanged) already present")
        parts.append("\(predictions) predictions, \(steps) steps, \(checkpoints) checkpoints")
        return parts.joined(separator: ", ")
    }
}

// `ftlab merge`: shard databases (one per Slurm array task, or any other ftlab database) into
// this one. The shard is opened read-only and checked first (an ftlab database, not of a newer
// schema); everything is then written in one transaction, so an error leaves the target as it was.
extension ResultsStore {
    public func merge(shardPath: String) throws -> MergeReport {
        let shard = try ShardContents.read(path: shardPath, known: Set(try Self.makeMigrator().migrations))
        return try write { db in try Self.merge(shard, into: db) }
    }

    private static func merge(_ shard: ShardContents, into db: Database) throws -> MergeReport {
        var report = MergeReport()
        // Models and datasets by content hash; a key already used for another file is a conflict.
        var modelIDs: [Int64: Int64] = [:], datasetIDs: [Int64: Int64] = [:]
        for m in shard.models {
            if let id = try Int64.fetchOne(db, sql: "SELECT id FROM models WHERE sha256 = ? ORDER BY id LIMIT 1", arguments: [m.sha256]) {
                modelIDs[m.id] = id
            } else {
                if try Int64.fetchOne(db, sql: "SELECT id FROM models WHERE key = ?", arguments: [m.key]) != nil {
                    throw StoreError.sql("model \(m.key) of \(shard.path) is a different file (sha256 \(m.sha256.prefix(12))…) from the one of that key here")
                }
                try db.execute(sql: "INSERT INTO models (key, family, params, path, format, sha256) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [m.key, m.family, m.params, m.path, m.format, m.sha256])
                modelIDs[m.id] = db.lastInsertedRowID
            }
        }
        // An adapter points at its base by the ids here (set where the target has no base yet).
        for m in shard.models {
            guard let base = m.base.flatMap({ modelIDs[$0] }), let id = modelIDs[m.id] else { continue }
            try db.execute(sql: "UPDATE models SET base_model_id = ? WHERE id = ? AND base_model_id IS NULL", arguments: [base, id])
        }
        for d in shard.datasets {
            if let id = try Int64.fetchOne(db, sql: "SELECT id FROM datasets WHERE task = ? AND split = ? AND sha256 = ?",
                                           arguments: [d.task, d.split, d.sha256]) {
                datasetIDs[d.id] = id
            } else {
                try db.execute(sql: "INSERT INTO datasets (task, split, size, sha256, path) VALUES (?, ?, ?, ?, ?)",
                               arguments: [d.task, d.split, d.size, d.sha256, d.path])
                datasetIDs[d.id] = db.lastInsertedRowID
            }
        }
        // Runs in id order, so a training run is merged before the evaluation that points to it.
        var runIDs: [Int64: Int64] = [:]
        for run in shard.runs.sorted(by: { ($0.id ?? 0) < ($1.id ?? 0) }) {
            guard let shardID = run.id, let model = modelIDs[run.modelID], let dataset = datasetIDs[run.datasetID] else {
                throw StoreError.sql("run \(run.uuid) of \(shard.path) names a model or dataset the shard lacks")
            }
            var incoming = run
            incoming.modelID = model
            incoming.datasetID = dataset
            incoming.parentRunID = run.parentRunID.flatMap { runIDs[$0] }
            if let existing = try RunRecord.filter(Column("uuid") == run.uuid).fetchOne(db), let targetID = existing.id {
                if existing.status == .queued && run.status != .queued {
                    // The placeholder a sweep left here: it becomes the shard's run, keeping its
                    // id (and sweep); rows stored under the placeholder (none, normally) go.
                    incoming.id = targetID
                    incoming.sweepID = existing.sweepID
                    try db.execute(sql: "DELETE FROM predictions WHERE run_id = ?", arguments: [targetID])
                    try db.execute(sql: "DELETE FROM train_steps WHERE run_id = ?", arguments: [targetID])
                    try db.execute(sql: "DELETE FROM checkpoints WHERE run_id = ?", arguments: [targetID])
                    try incoming.update(db)
                    runIDs[shardID] = targetID
                    report.runsFilled += 1
                } else if sameContent(existing, incoming) {
                    runIDs[shardID] = targetID
                    report.runsUnchanged += 1
                    continue
                } else {
                    throw StoreError.sql("run \(run.uuid) (run \(shardID) of \(shard.path), run \(targetID) here) differs: "
                                         + "\(existing.status.rawValue) with \(existing.n ?? 0) examples here, "
                                         + "\(run.status.rawValue) with \(run.n ?? 0) in the shard — nothing was merged")
                }
            } else {
                incoming.id = nil
                // A sweep's training run's evaluation belongs to the sweep its parent is in here.
                incoming.sweepID = try incoming.parentRunID.flatMap {
                    try Int64.fetchOne(db, sql: "SELECT sweep_id FROM runs WHERE id = ?", arguments: [$0])
                }
                try incoming.insert(db)
                runIDs[shardID] = incoming.id!
                report.runsAdded += 1
            }
            let target = runIDs[shardID]!
            for p in shard.predictions[shardID] ?? [] {
                try db.execute(sql: """
                    INSERT INTO predictions (run_id, example_index, prompt, output, extracted, gold, correct, scores_json,
                                             prompt_tokens, output_tokens, seconds)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [target, p["example_index"], p["prompt"], p["output"], p["extracted"], p["gold"],
                                     p["correct"], p["scores_json"], p["prompt_tokens"], p["output_tokens"], p["seconds"]])
                report.predictions += 1
            }
            for s in shard.steps[shardID] ?? [] {
                try db.execute(sql: "INSERT INTO train_steps (run_id, step, loss, lr, grad_norm, tokens, seconds) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               arguments: [target, s["step"], s["loss"], s["lr"], s["grad_norm"], s["tokens"], s["seconds"]])
                report.steps += 1
            }
            for c in shard.checkpoints[shardID] ?? [] {
                try db.execute(sql: "INSERT INTO checkpoints (run_id, step, path, kind, created_at) VALUES (?, ?, ?, ?, ?)",
                               arguments: [target, c["step"], c["path"], c["kind"], c["created_at"]])
                report.checkpoints += 1
            }
        }
        return report
    }

    /// Same run, same outcome: what a repeated merge sees.
    private static func sameContent(_ a: RunRecord, _ b: RunRecord) -> Bool {
        a.specHash == b.specHash && a.status == b.status && a.n == b.n && a.correct == b.correct
            && a.finishedAt == b.finishedAt && a.kind == b.kind && a.method == b.method
    }
}

/// Everything of a shard the merge carries, read through a read-only connection.
struct ShardContents {
    struct Model {
        let id: Int64, key: String, family: String, params: Int64, path: String, format: String, sha256: String
        /// An adapter's base (the shard's id); nil for models, and in shards older than 003.
        let base: Int64?
    }
    struct DatasetRow { let id: Int64, task: String, split: String, size: Int64, sha256: String, path: String? }

    let path: String
    var models: [Model] = []
    var datasets: [DatasetRow] = []
    var runs: [RunRecord] = []
    var predictions: [Int64: [Row]] = [:]
    var steps: [Int64: [Row]] = [:]
    var checkpoints: [Int64: [Row]] = [:]

    static func read(path: String, known: Set<String>) throws -> ShardContents {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw StoreError.cannotOpen(path: path, reason: "no such file")
        }
        // A packed shard (`ftlab pack`'s .gz) is read from a decompressed temporary copy.
        let snapshot = try ResultsStore.unpackSnapshot(path)
        defer { if let folder = snapshot?.folder { try? FileManager.default.removeItem(atPath: folder) } }
        var config = Configuration()
        config.readonly = true
        let queue: DatabaseQueue
        do { queue = try DatabaseQueue(path: snapshot?.file ?? path, configuration: config) } catch let e as DatabaseError {
            throw ResultsStore.openError(e, path: path)
        }
        var contents = ShardContents(path: path)
        do {
            try queue.read { db in
                guard try db.tableExists("grdb_migrations"), try db.tableExists("runs") else {
                    throw StoreError.sql("\(path) is not an ftlab results database")
                }
                let applied = Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
                let unknown = applied.subtracting(known).sorted()
                if !unknown.isEmpty { throw StoreError.newerSchema(path: path, unknown: unknown) }
                contents.models = try Row.fetchAll(db, sql: "SELECT * FROM models").map {
                    Model(id: $0["id"], key: $0["key"], family: $0["family"], params: $0["params"], path: $0["path"],
                          format: $0["format"], sha256: $0["sha256"], base: $0["base_model_id"])
                }
                contents.datasets = try Row.fetchAll(db, sql: "SELECT * FROM datasets").map {
                    DatasetRow(id: $0["id"], task: $0["task"], split: $0["split"], size: $0["size"], sha256: $0["sha256"], path: $0["path"])
                }
                contents.runs = try RunRecord.fetchAll(db, sql: "SELECT * FROM runs")
                for row in try Row.fetchAll(db, sql: "SELECT * FROM predictions ORDER BY run_id, example_index") {
                    contents.predictions[row["run_id"], default: []].append(row)
                }
                for row in try Row.fetchAll(db, sql: "SELECT * FROM train_steps ORDER BY run_id, step") {
                    contents.steps[row["run_id"], default: []].append(row)
                }
                for row in try Row.fetchAll(db, sql: "SELECT * FROM checkpoints ORDER BY run_id, step") {
                    contents.checkpoints[row["run_id"], default: []].append(row)
                }
            }
        } catch let e as DatabaseError {
            throw ResultsStore.openError(e, path: path)
        }
        return contents
    }
}

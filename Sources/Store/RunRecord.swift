import Foundation
import GRDB

/// A row of `runs`: one evaluation or training run with every setting it was made with and,
/// once finished, its summary. Property names are Swift-style; CodingKeys map them to columns.
public struct RunRecord: Codable, Equatable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "runs"

    public var id: Int64?
    public var uuid: String             // stable across merged databases
    public var specHash: String         // lets a finished run with the same spec be reused
    public var parentRunID: Int64?      // the training run an evaluation evaluates
    public var modelID: Int64
    public var datasetID: Int64
    public var method: RunMethod
    public var kind: RunKind
    public var promptFormat: String?
    public var shots: Int
    public var lr: Double?
    public var rank: Int?
    public var alpha: Double?
    public var epochs: Double?
    public var steps: Int?
    public var batchSize: Int?
    public var seed: Int64
    public var specJSON: String
    public var status: RunStatus
    public var error: String?
    public var engineVersion: String
    public var host: String
    public var pid: Int32?
    public var threads: Int?
    public var startedAt: String
    public var finishedAt: String?
    public var wallSeconds: Double?
    public var tokensGenerated: Int64?
    public var peakRSSBytes: Int64?
    public var n: Int?
    public var correct: Int?
    public var accuracy: Double?
    public var metricsJSON: String?
    /// The sweep that queued the run (nil for runs started one at a time).
    public var sweepID: Int64?

    enum CodingKeys: String, CodingKey {
        case id, uuid, method, kind, shots, lr, rank, alpha, epochs, steps, seed, status, error
        case host, pid, threads, n, correct, accuracy
        case specHash = "spec_hash"
        case parentRunID = "parent_run_id"
        case modelID = "model_id"
        case datasetID = "dataset_id"
        case promptFormat = "prompt_format"
        case batchSize = "batch_size"
        case specJSON = "spec_json"
        case engineVersion = "engine_version"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case wallSeconds = "wall_seconds"
        case tokensGenerated = "tokens_generated"
        case peakRSSBytes = "peak_rss_bytes"
        case metricsJSON = "metrics_json"
        case sweepID = "sweep_id"
    }

    /// A new run, status `running` unless told otherwise, with a fresh lowercase UUID.
    public init(id: Int64? = nil, uuid: String? = nil, specHash: String, parentRunID: Int64? = nil,
                modelID: Int64, datasetID: Int64, method: RunMethod, kind: RunKind = .eval,
                promptFormat: String? = nil, shots: Int = 0, lr: Double? = nil, rank: Int? = nil,
                alpha: Double? = nil, epochs: Double? = nil, steps: Int? = nil, batchSize: Int? = nil,
                seed: Int64 = 0, specJSON: String = "{}", status: RunStatus = .running,
                error: String? = nil, engineVersion: String, host: String, pid: Int32? = nil,
                threads: Int? = nil, startedAt: String? = nil, finishedAt: String? = nil,
                wallSeconds: Double? = nil, tokensGenerated: Int64? = nil, peakRSSBytes: Int64? = nil,
                n: Int? = nil, correct: Int? = nil, accuracy: Double? = nil, metricsJSON: String? = nil,
                sweepID: Int64? = nil) {
        self.id = id
        self.sweepID = sweepID
        self.uuid = uuid ?? UUID().uuidString.lowercased()
        self.specHash = specHash; self.parentRunID = parentRunID
        self.modelID = modelID; self.datasetID = datasetID
        self.method = method; self.kind = kind; self.promptFormat = promptFormat; self.shots = shots
        self.lr = lr; self.rank = rank; self.alpha = alpha; self.epochs = epochs
        self.steps = steps; self.batchSize = batchSize; self.seed = seed; self.specJSON = specJSON
        self.status = status; self.error = error; self.engineVersion = engineVersion
        self.host = host; self.pid = pid; self.threads = threads
        self.startedAt = startedAt ?? Timestamp.now(); self.finishedAt = finishedAt
        self.wallSeconds = wallSeconds; self.tokensGenerated = tokensGenerated
        self.peakRSSBytes = peakRSSBytes; self.n = n; self.correct = correct
        self.accuracy = accuracy; self.metricsJSON = metricsJSON
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// What a finished run reports; written by `finishRun`.
public struct RunSummary: Equatable, Sendable {
    public var n: Int?
    public var correct: Int?
    public var accuracy: Double?
    public var wallSeconds: Double?
    public var tokensGenerated: Int64?
    public var peakRSSBytes: Int64?
    public var metricsJSON: String?

    public init(n: Int? = nil, correct: Int? = nil, accuracy: Double? = nil, wallSeconds: Double? = nil,
                tokensGenerated: Int64? = nil, peakRSSBytes: Int64? = nil, metricsJSON: String? = nil) {
        self.n = n; self.correct = correct; self.accuracy = accuracy; self.wallSeconds = wallSeconds
        self.tokensGenerated = tokensGenerated; self.peakRSSBytes = peakRSSBytes
        self.metricsJSON = metricsJSON
    }
}

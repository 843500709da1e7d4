import GRDB

// What a run produces: per-example predictions, training-step metrics, checkpoints.

/// A row of `predictions`: one example of one run. (run_id, example_index) is unique, so a
/// resumed run can never count an example twice.
public struct PredictionRecord: Codable, Equatable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "predictions"

    public var id: Int64?
    public var runID: Int64
    public var exampleIndex: Int
    public var prompt: String?
    public var output: String
    public var extracted: String?
    public var gold: String
    public var correct: Bool          // stored as 0/1
    public var scoresJSON: String?
    public var promptTokens: Int?
    public var outputTokens: Int?
    public var seconds: Double?

    enum CodingKeys: String, CodingKey {
        case id, prompt, output, extracted, gold, correct, seconds
        case runID = "run_id"
        case exampleIndex = "example_index"
        case scoresJSON = "scores_json"
        case promptTokens = "prompt_tokens"
        case outputTokens = "output_tokens"
    }

    public init(id: Int64? = nil, runID: Int64, exampleIndex: Int, prompt: String? = nil, output: String,
                extracted: String? = nil, gold: String, correct: Bool, scoresJSON: String? = nil,
                promptTokens: Int? = nil, outputTokens: Int? = nil, seconds: Double? = nil) {
        self.id = id; self.runID = runID; self.exampleIndex = exampleIndex; self.prompt = prompt
        self.output = output; self.extracted = extracted; self.gold = gold; self.correct = correct
        self.scoresJSON = scoresJSON; self.promptTokens = promptTokens
        self.outputTokens = outputTokens; self.seconds = seconds
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A row of `train_steps`: the metrics of one optimizer step.
public struct TrainStepRecord: Codable, Equatable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "train_steps"

    public var id: Int64?
    public var runID: Int64
    public var step: Int
    public var loss: Double
    public var lr: Double
    public var gradNorm: Double?
    public var tokens: Int?
    public var seconds: Double?

    enum CodingKeys: String, CodingKey {
        case id, step, loss, lr, tokens, seconds
        case runID = "run_id"
        case gradNorm = "grad_norm"
    }

    public init(id: Int64? = nil, runID: Int64, step: Int, loss: Double, lr: Double,
                gradNorm: Double? = nil, tokens: Int? = nil, seconds: Double? = nil) {
        self.id = id; self.runID = runID; self.step = step; self.loss = loss; self.lr = lr
        self.gradNorm = gradNorm; self.tokens = tokens; self.seconds = seconds
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A row of `checkpoints`: a file saved during training.
public struct CheckpointRecord: Codable, Equatable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "checkpoints"

    public var id: Int64?
    public var runID: Int64
    public var step: Int
    public var path: String
    public var kind: CheckpointKind
    public var createdAt: String

    enum CodingKeys: String, CodingKey {
        case id, step, path, kind
        case runID = "run_id"
        case createdAt = "created_at"
    }

    public init(id: Int64? = nil, runID: Int64, step: Int, path: String, kind: CheckpointKind,
                createdAt: String? = nil) {
        self.id = id; self.runID = runID; self.step = step; self.path = path; self.kind = kind
        self.createdAt = createdAt ?? Timestamp.now()
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

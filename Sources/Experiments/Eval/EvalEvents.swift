/// What an evaluation reports as it goes. Experiments never touches the database: a sink turns
/// these into rows (Console's store sink) or into text (progress, tests).
public enum EvalEvent: Sendable {
    case started(EvalStart)
    /// One example's result; it belongs to the batch the next `.batchCompleted` closes.
    case prediction(EvalPrediction)
    /// A batch is complete: a sink commits its predictions now, so a crash loses at most one batch.
    case batchCompleted(EvalProgress)
    case finished(EvalTotals)
    /// `shouldStop` said stop between batches; every completed batch was reported.
    case interrupted(EvalTotals)
    case failed(String)
}

/// Receives events in order, on the thread that runs the evaluation. A throwing sink stops the
/// run (reported as failed), since losing predictions silently is worse than stopping.
public protocol EvalSink: AnyObject {
    func handle(_ event: EvalEvent) throws
}

public struct EvalModelInfo: Equatable, Sendable {
    public var key: String
    public var family: String
    public var parameters: Int
    public var path: String

    public init(key: String, family: String, parameters: Int, path: String) {
        self.key = key; self.family = family; self.parameters = parameters; self.path = path
    }
}

public struct EvalStart: Sendable {
    public var spec: ExperimentSpec
    public var model: EvalModelInfo
    public var dataset: Dataset
    /// Examples the spec selects (after `limit`).
    public var total: Int
    /// Of those, examples this session will run (the rest were done before a resume).
    public var pending: Int
    /// Tokens in the prompt prefix shared through the KV cache (0: none).
    public var sharedPrefixTokens: Int
}

public struct RuleScore: Equatable, Sendable {
    public var extracted: String?
    public var correct: Bool
    /// Multiple choice: the rule's score of each choice (sum log-prob for `acc`, log-prob per
    /// byte for `acc_norm`); nil for generation rules.
    public var choiceScores: [Double]?

    public init(extracted: String?, correct: Bool, choiceScores: [Double]? = nil) {
        self.extracted = extracted
        self.correct = correct
        self.choiceScores = choiceScores
    }
}

public struct EvalPrediction: Equatable, Sendable {
    public var exampleIndex: Int
    public var prompt: String
    /// The generated text as decoded (stop string included when one ended it).
    public var output: String
    /// Under the spec's primary rule.
    public var extracted: String?
    public var correct: Bool
    public var gold: String
    /// Keyed by rule name: `strict`/`flexible`/`numeric` (generation), `acc`/`acc_norm` (multiple choice).
    public var scores: [String: RuleScore]
    public var promptTokens: Int
    public var outputTokens: Int
    /// The batch's wall time shared equally among its rows.
    public var seconds: Double

    /// `{"flexible":{"correct":true,"extracted":"12"},…}` with sorted keys: `scores_json`.
    public var scoresJSON: String {
        let parts = scores.keys.sorted().map { name -> String in
            let s = scores[name]!
            let extracted = s.extracted.map { SyntheticTask.jsonString($0) } ?? "null"
            var fields = "\"correct\":\(s.correct),\"extracted\":\(extracted)"
            if let values = s.choiceScores {
                fields += ",\"scores\":[" + values.map { $0.isFinite ? "\($0)" : "null" }.joined(separator: ",") + "]"
            }
            return "\(SyntheticTask.jsonString(name)):{\(fields)}"
        }
        return "{" + parts.joined(separator: ",") + "}"
    }
}

public struct EvalProgress: Equatable, Sendable {
    /// Examples finished this session, and how many this session has in all.
    public var done: Int
    public var pending: Int
    /// Correct under the primary rule, this session.
    public var correct: Int
    public var elapsed: Double
    public var tokensGenerated: Int
}

/// This session's totals (a resumed run's stored predictions are the sink's to add).
public struct EvalTotals: Equatable, Sendable {
    public var n: Int
    /// Correct per rule name.
    public var correct: [String: Int]
    public var wallSeconds: Double
    public var tokensGenerated: Int
    /// What the generation held in memory (nil for runs that do not generate).
    public var memory: EvalMemory? = nil
}

/// The two known parts of an evaluation's memory; peak RSS minus these is "the rest".
public struct EvalMemory: Equatable, Sendable {
    /// Weights referenced by the model (quantized blocks, or the fp32 arena).
    public var weightBytes: Int
    /// The most keys and values held at once.
    public var kvCachePeakBytes: Int

    public init(weightBytes: Int, kvCachePeakBytes: Int) {
        self.weightBytes = weightBytes
        self.kvCachePeakBytes = kvCachePeakBytes
    }
}

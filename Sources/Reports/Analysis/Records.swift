// What the reports read: plain values, filled by Console from the Store's records, so that
// Reports neither imports the Store nor speaks SQL and tests can build inputs by hand.

/// One scored example of one run.
public struct PredictionOutcome: Equatable, Sendable {
    public var exampleIndex: Int
    public var correct: Bool
    /// The question as the model saw it (may be nil for old rows).
    public var prompt: String?
    public var output: String
    public var extracted: String?
    public var gold: String
    /// Generated tokens (nil for old or imported rows).
    public var outputTokens: Int?
    /// Reasoning steps of the example's reference solution (see `DepthBin`); nil when the data
    /// was not at hand or has no worked solutions.
    public var reasoningSteps: Int?

    public init(exampleIndex: Int, correct: Bool, prompt: String? = nil, output: String,
                extracted: String? = nil, gold: String, outputTokens: Int? = nil, reasoningSteps: Int? = nil) {
        self.exampleIndex = exampleIndex; self.correct = correct; self.prompt = prompt
        self.output = output; self.extracted = extracted; self.gold = gold; self.outputTokens = outputTokens
        self.reasoningSteps = reasoningSteps
    }
}

/// One scored evaluation run, as the analysis sees it.
///
/// For a fine-tuned model the scored run is the evaluation child of a training run; `method`
/// and `seed` are then the training run's (a `full` eval child *is* the full fine-tune's score)
/// and `trainingRunID` points at it.
public struct ReportRun: Equatable, Sendable {
    public var id: Int64
    public var model: String
    public var family: String
    public var params: Int64
    public var modelHash: String
    public var task: String
    public var split: String
    public var datasetHash: String
    /// One of `Methods.order` (zero_shot, few_shot, full, lora, dora).
    public var method: String
    public var seed: Int64
    public var trainingRunID: Int64?
    /// Hyper-parameters in one short line (`shots=5 format=plain`, `lr=0.0002 rank=8 alpha=16`).
    public var config: String
    public var engineVersion: String
    public var startedAt: String
    public var finishedAt: String?
    /// The cap on generated tokens of a generative evaluation; nil for runs scored by likelihood
    /// (multiple choice), imported runs, or runs whose spec does not say.
    public var maxNewTokens: Int?
    /// In example order; only these count (the run's stored summary is not trusted twice).
    public var outcomes: [PredictionOutcome]

    public init(id: Int64, model: String, family: String, params: Int64, modelHash: String,
                task: String, split: String, datasetHash: String, method: String, seed: Int64,
                trainingRunID: Int64? = nil, config: String = "", engineVersion: String,
                startedAt: String, finishedAt: String? = nil, maxNewTokens: Int? = nil, outcomes: [PredictionOutcome]) {
        self.id = id; self.model = model; self.family = family; self.params = params
        self.modelHash = modelHash; self.task = task; self.split = split
        self.datasetHash = datasetHash; self.method = method; self.seed = seed
        self.trainingRunID = trainingRunID; self.config = config
        self.engineVersion = engineVersion; self.startedAt = startedAt
        self.finishedAt = finishedAt; self.maxNewTokens = maxNewTokens; self.outcomes = outcomes.sorted { $0.exampleIndex < $1.exampleIndex }
    }

    public var n: Int { outcomes.count }
    public var correct: Int { outcomes.reduce(0) { $0 + ($1.correct ? 1 : 0) } }
    public var accuracy: Double { n == 0 ? .nan : Double(correct) / Double(n) }
    public var wilson: Interval { Wilson.interval(correct: correct, n: n) }
    /// Runs are comparable only on the same split of the same task.
    public var dataset: DatasetKey { DatasetKey(task: task, split: split) }
}

/// A task and split: the unit within which examples are shared.
public struct DatasetKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let task: String
    public let split: String
    public init(task: String, split: String) { self.task = task; self.split = split }
    public var description: String { "\(task) (\(split))" }
    public static func < (a: DatasetKey, b: DatasetKey) -> Bool { (a.task, a.split) < (b.task, b.split) }
}

/// The study's methods in their canonical column order.
public enum Methods {
    public static let order = ["zero_shot", "few_shot", "full", "lora", "dora"]
    public static let baseline = "zero_shot"

    /// Sort rank: canonical methods first, unknown ones after, alphabetically.
    /// A labelled variant (`full lr=0.0001`) ranks with its method.
    public static func rank(_ method: String) -> Int {
        order.firstIndex(of: String(method.prefix { $0 != " " })) ?? order.count
    }

    /// Canonical order; variants of one method by their learning rate, smallest first
    /// (`full lr=2e-05` before `full lr=0.0001`), then by name.
    public static func sorted(_ methods: some Sequence<String>) -> [String] {
        Array(Set(methods)).sorted { (rank($0), learningRate($0), $0) < (rank($1), learningRate($1), $1) }
    }

    /// The rate of a `METHOD lr=X` label; 0 for a plain method name.
    static func learningRate(_ method: String) -> Double {
        let parts = method.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[1].hasPrefix("lr=") else { return 0 }
        return Double(parts[1].dropFirst(3)) ?? 0
    }
}

/// A one-line error for the user (unknown run, nothing to compare, …).
public struct ReportError: Error, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}

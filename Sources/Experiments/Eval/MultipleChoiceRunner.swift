import Engine

/// What Console runs: a generation run (`EvalRunner`) or a log-likelihood one (`MultipleChoiceRunner`).
public protocol EvaluationRunner: AnyObject {
    var spec: ExperimentSpec { get }
    /// Examples to run, their mean prompt length and the mean length of their reference answers
    /// (worked solution, else the answer) in tokens: what the memory plan sizes the KV cache by.
    var promptStatistics: PromptStatistics? { get }
    @discardableResult
    func run(skipping: Set<Int>, sink: EvalSink, shouldStop: () -> Bool) -> EvalTotals
}

extension EvalRunner: EvaluationRunner {
    public var promptStatistics: PromptStatistics? {
        let items = plan.items
        guard !items.isEmpty else { return nil }
        let answers = items.reduce(0) { $0 + model.tokenizer.encode($1.example.solution ?? $1.example.answer, addSpecialTokens: false).count }
        return PromptStatistics(examples: items.count,
                                meanPromptTokens: Double(items.reduce(0) { $0 + $1.tokens.count }) / Double(items.count),
                                meanReferenceAnswerTokens: Double(answers) / Double(items.count))
    }
}

public struct PromptStatistics: Sendable {
    public var examples: Int
    public var meanPromptTokens: Double
    public var meanReferenceAnswerTokens: Double
}

public enum Evaluation {
    /// The runner the spec's task calls for.
    public static func make(spec: ExperimentSpec, model: EvalModel? = nil, dataDirectory: String? = nil) throws -> any EvaluationRunner {
        switch try TaskCatalog.spec(spec.task).kind {
        case .generation: return try EvalRunner.make(spec: spec, model: model, dataDirectory: dataDirectory)
        case .multipleChoice: return try MultipleChoiceRunner.make(spec: spec, model: model, dataDirectory: dataDirectory)
        }
    }
}

/// The rules a multiple-choice run scores by (lm-evaluation-harness metric names).
public enum ChoiceRule: String, CaseIterable, Sendable {
    /// argmax of the continuation's summed log-probability.
    case acc
    /// argmax of log-probability divided by the continuation's UTF-8 byte length.
    case accNorm = "acc_norm"
}

/// Scores every choice of each example by log-likelihood (`ContinuationScorer`) and predicts the
/// likeliest under `acc` (the primary rule) and `acc_norm`. Emits the same events as `EvalRunner`;
/// resumable the same way (`skipping` leaves stored examples out of their batches).
public final class MultipleChoiceRunner: EvaluationRunner {
    public let spec: ExperimentSpec
    public var promptStatistics: PromptStatistics? { nil }
    public let model: EvalModel
    public let dataset: Dataset

    struct Item {
        let example: Example
        let prompt: MultipleChoicePrompt
        let requests: [ContinuationRequest]
    }

    let items: [Item]
    /// Positions into `items`, in dataset order, chunked by the spec's batch size (in examples).
    let batches: [[Int]]
    private let scorer: ContinuationScorer

    public init(spec: ExperimentSpec, model: EvalModel, dataset: Dataset, style: MultipleChoiceStyle,
                shotPool: [Example] = [], shotsFromEvaluatedSplit: Bool = false) throws {
        guard spec.batchSize > 0 else { throw EvalError.invalid("batch size must be positive") }
        guard !spec.chat else { throw EvalError.invalid("multiple-choice tasks are scored without the chat template; drop `chat`") }
        self.spec = spec
        self.model = model
        self.dataset = dataset
        let scorer = ContinuationScorer(transformer: model.transformer, tokenizer: model.tokenizer)
        self.scorer = scorer
        let examples = spec.limit.map { Array(dataset.examples.prefix($0)) } ?? dataset.examples
        var items: [Item] = []
        for example in examples {
            // Fixed shots: the first `shots` pool examples (never the question itself).
            let shots = spec.shots > 0
                ? Array(shotPool.filter { !shotsFromEvaluatedSplit || $0.index != example.index }.prefix(spec.shots))
                : []
            let prompt = try MultipleChoicePrompt(example, style: style, shots: shots)
            let requests = prompt.continuations.map { scorer.request(context: prompt.context, continuation: $0) }
            items.append(Item(example: example, prompt: prompt, requests: requests))
        }
        self.items = items
        let size = spec.batchSize
        batches = stride(from: 0, to: items.count, by: size).map { Array($0..<min($0 + size, items.count)) }
    }

    public static func make(spec: ExperimentSpec, model: EvalModel? = nil, dataDirectory: String? = nil) throws -> MultipleChoiceRunner {
        let task = try TaskCatalog.spec(spec.task)
        let dataset = try TaskCatalog.load(task: spec.task, split: spec.split, dataDirectory: dataDirectory)
        var pool: [Example] = []
        let separatePool = task.splits.contains("train") && dataset.split != "train"
        if spec.shots > 0 {
            pool = separatePool
                ? try TaskCatalog.load(task: spec.task, split: "train", dataDirectory: dataDirectory).examples
                : dataset.examples
        }
        return try MultipleChoiceRunner(spec: spec, model: model ?? EvalModel.load(spec), dataset: dataset,
                                        style: task.choiceStyle ?? .optionText, shotPool: pool,
                                        shotsFromEvaluatedSplit: !separatePool)
    }

    public var selectedIndices: [Int] { items.map(\.example.index) }

    /// The index of the largest value (the first on ties, like numpy.argmax).
    static func argmax(_ values: [Double]) -> Int {
        var best = 0
        for i in values.indices where values[i] > values[best] { best = i }
        return best
    }

    /// Per-choice values under each rule, from the choices' scores.
    static func ruleValues(_ scores: [ContinuationScore]) -> [ChoiceRule: [Double]] {
        [.acc: scores.map(\.logProb),
         .accNorm: scores.map { $0.logProb / Double(max($0.bytes, 1)) }]
    }

    @discardableResult
    public func run(skipping: Set<Int> = [], sink: EvalSink, shouldStop: () -> Bool = { false }) -> EvalTotals {
        EvalBatchLoop.run(
            batches: batches.map { $0.map { items[$0] } }, exampleIndex: \.example.index, skipping: skipping,
            primaryRule: ChoiceRule.acc.rawValue, sink: sink, shouldStop: shouldStop,
            start: { EvalStart(spec: spec, model: model.info, dataset: dataset, total: items.count,
                               pending: $0, sharedPrefixTokens: 0) },
            compute: { rows in
                // One scorer call for all choices of the batch, split back per item.
                let flat = scorer.score(rows.flatMap(\.requests))
                var offset = 0
                return rows.map { item in
                    defer { offset += item.requests.count }
                    return Array(flat[offset..<offset + item.requests.count])
                }
            },
            predict: { item, scores, seconds in
                (predict(item, scores, seconds: seconds), scores.map(\.tokens).reduce(0, +))
            })
    }

    func predict(_ item: Item, _ scores: [ContinuationScore], seconds: Double) -> EvalPrediction {
        let gold = Example.choiceLetter(item.prompt.gold)
        var ruleScores: [String: RuleScore] = [:]
        var picks: [ChoiceRule: Int] = [:]
        for (rule, values) in Self.ruleValues(scores) {
            let pick = Self.argmax(values)
            picks[rule] = pick
            ruleScores[rule.rawValue] = RuleScore(extracted: Example.choiceLetter(pick), correct: pick == item.prompt.gold,
                                                  choiceScores: values)
        }
        let pick = picks[.acc]!
        let text = item.example.choices?[pick] ?? item.prompt.continuations[pick]
        return EvalPrediction(exampleIndex: item.example.index, prompt: item.prompt.context,
                              output: "\(Example.choiceLetter(pick)). \(text)", extracted: Example.choiceLetter(pick),
                              correct: pick == item.prompt.gold, gold: gold, scores: ruleScores,
                              promptTokens: item.requests.map(\.context.count).max() ?? 0,
                              outputTokens: scores[pick].tokens, seconds: seconds)
    }
}

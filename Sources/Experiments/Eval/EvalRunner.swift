import Engine

/// Runs an `ExperimentSpec` over a dataset with greedy decoding and reports events to a sink.
///
/// Deterministic: prompts, shot choice, batch composition and greedy decoding depend only on the
/// spec and the data. Resumable: `skipping` names examples already stored; they are left out of
/// their batches, whose other rows then run exactly as before (see `EvalPlan`).
public final class EvalRunner {
    public let spec: ExperimentSpec
    public let model: EvalModel
    public let dataset: Dataset
    let plan: EvalPlan
    private let prefixCache: PrefixCache?

    /// Stop strings on decoded text: the harness's gsm8k `until` plus the template's end of turn.
    public let stopStrings: [String]

    public init(spec: ExperimentSpec, model: EvalModel, dataset: Dataset, shotPool: [Example]) throws {
        guard spec.maxNewTokens > 0 else { throw EvalError.invalid("max-tokens must be positive") }
        guard spec.batchSize > 0 else { throw EvalError.invalid("batch size must be positive") }
        guard ExtractionRule(rawValue: spec.primaryRule) != nil else {
            throw EvalError.invalid("unknown rule \(spec.primaryRule) (strict, flexible or numeric)")
        }
        self.spec = spec
        self.model = model
        self.dataset = dataset
        let examples = spec.limit.map { Array(dataset.examples.prefix($0)) } ?? dataset.examples
        plan = try EvalPlan(spec: spec, model: model, examples: examples, shotPool: shotPool)
        prefixCache = plan.sharedPrefix.isEmpty ? nil : PrefixCache(model: model.transformer, tokens: plan.sharedPrefix)
        var stops = AnswerExtractor.defaultStopStrings
        if let end = model.chatTemplate?.endOfTurn, !stops.contains(end) { stops.append(end) }
        stopStrings = stops
    }

    /// Loads the model and the dataset (plus the shot pool when shots > 0) a spec names.
    public static func make(spec: ExperimentSpec, model: EvalModel? = nil, dataDirectory: String? = nil) throws -> EvalRunner {
        let dataset = try TaskCatalog.load(task: spec.task, split: spec.split, dataDirectory: dataDirectory)
        var pool: [Example] = []
        if spec.shots > 0 {
            let task = try TaskCatalog.spec(spec.task)
            // The train split when there is one; otherwise the evaluated split itself
            // (PromptBuilder never uses a question as its own shot).
            pool = task.splits.contains("train") && dataset.split != "train"
                ? try TaskCatalog.load(task: spec.task, split: "train", dataDirectory: dataDirectory).examples
                : dataset.examples
        }
        return try EvalRunner(spec: spec, model: model ?? EvalModel.load(spec), dataset: dataset, shotPool: pool)
    }

    /// Example indices the spec selects, in dataset order.
    public var selectedIndices: [Int] { plan.items.map(\.example.index) }

    /// Runs every selected example not in `skipping`. `shouldStop` is polled between batches; when
    /// it says stop, the run ends with `.interrupted` after the last completed batch.
    @discardableResult
    public func run(skipping: Set<Int> = [], sink: EvalSink, shouldStop: () -> Bool = { false }) -> EvalTotals {
        let rule = spec.rule
        return EvalBatchLoop.run(
            batches: plan.batches.map { $0.map { plan.items[$0] } }, exampleIndex: \.example.index, skipping: skipping,
            primaryRule: rule.rawValue, sink: sink, shouldStop: shouldStop,
            start: { EvalStart(spec: spec, model: model.info, dataset: dataset, total: plan.items.count,
                               pending: $0, sharedPrefixTokens: plan.sharedPrefix.count) },
            compute: { generate($0.map(\.tokens)) },
            predict: { item, ids, seconds in (score(item, ids, rule: rule, seconds: seconds), ids.count) })
    }

    /// Greedy continuations of one batch, through the shared-prefix cache when there is one.
    private func generate(_ prompts: [[Int32]]) -> [[Int32]] {
        let watcher = StopStringWatcher(tokenizer: model.tokenizer, rows: prompts.count, stops: stopStrings)
        let stop: (Int, [Int32]) -> Bool = { watcher.shouldStop(row: $0, generated: $1) }
        let ids = model.stopTokenIDs
        if let prefixCache {
            let p = prefixCache.tokens.count
            return model.transformer.generate(prefix: prefixCache, suffixes: prompts.map { Array($0[p...]) },
                                              maxNewTokens: spec.maxNewTokens, stopTokenIDs: ids, stopCondition: stop)
        }
        return model.transformer.generate(prompts: prompts, maxNewTokens: spec.maxNewTokens,
                                          stopTokenIDs: ids, stopCondition: stop)
    }

    private func score(_ item: EvalPlan.Item, _ ids: [Int32], rule: ExtractionRule, seconds: Double) -> EvalPrediction {
        let output = model.tokenizer.decode(ids)
        let result = AnswerExtractor(stopStrings: stopStrings).score(output, gold: item.example.answer)
        var scores: [String: RuleScore] = [:]
        for r in ExtractionRule.allCases {
            scores[r.rawValue] = RuleScore(extracted: result.extracted[r], correct: result.isCorrect(r))
        }
        return EvalPrediction(exampleIndex: item.example.index, prompt: item.prompt, output: output,
                              extracted: result.extracted[rule], correct: result.isCorrect(rule),
                              gold: item.example.answer, scores: scores, promptTokens: item.tokens.count,
                              outputTokens: ids.count, seconds: seconds)
    }
}

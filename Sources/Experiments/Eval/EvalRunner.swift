import Dispatch
import Engine

/// Runs an `ExperimentSpec` over a dataset with greedy decoding and reports events to a sink.
///
/// Deterministic: prompts, shot choice and greedy decoding depend only on the spec and the data —
/// an example's output does not depend on which others share the batch (`ContinuousBatch`).
/// Resumable: `skipping` names examples already stored; the rest run as they would have.
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
        // fp32 weights (a tuned model, a Hugging Face directory) take the fixed-order products too,
        // so outputs do not depend on the batch — unless the spec asks for the fp32 reference path.
        model.transformer.orderedProducts = spec.precision == .quantized
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

    /// Runs every selected example not in `skipping`, with continuous batching (`spec.batchSize`
    /// rows alive at once). Predictions go to the sink as examples finish; the sink is asked to
    /// commit (`.batchCompleted`) at least every `commitSeconds` or `commitEvery` predictions, so
    /// SQLite is never the bottleneck and a killed process loses at most that much. `shouldStop` is
    /// polled before every decode step; when it says stop, rows in flight are dropped (a resume runs
    /// them again, with the same outputs) and the run ends with `.interrupted` after committing.
    @discardableResult
    public func run(skipping: Set<Int> = [], sink: EvalSink, shouldStop: () -> Bool = { false }) -> EvalTotals {
        let rule = spec.rule
        let items = plan.items.filter { !skipping.contains($0.example.index) }
        var totals = EvalTotals(n: 0, correct: [:], wallSeconds: 0, tokensGenerated: 0)
        let started = DispatchTime.now().uptimeNanoseconds
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 }
        var sinkError: Error?
        var uncommitted = 0, lastCommit = 0.0, lastFinish = 0.0
        func commit() throws {
            try sink.handle(.batchCompleted(EvalProgress(done: totals.n, pending: items.count,
                                                         correct: totals.correct[rule.rawValue] ?? 0, elapsed: elapsed(),
                                                         tokensGenerated: totals.tokensGenerated)))
            uncommitted = 0
            lastCommit = elapsed()
        }
        do {
            try sink.handle(.started(EvalStart(spec: spec, model: model.info, dataset: dataset, total: plan.items.count,
                                               pending: items.count, sharedPrefixTokens: plan.sharedPrefix.count)))
            let p = prefixCache?.tokens.count ?? 0
            let watcher = StopStringWatcher(tokenizer: model.tokenizer, rows: items.count, stops: stopStrings)
            let batch = ContinuousBatch(width: spec.batchSize, maxNewTokens: spec.maxNewTokens,
                                        stopTokenIDs: model.stopTokenIDs)
            let outcome = batch.run(
                model: model.transformer, prompts: items.map { Array($0.tokens[p...]) }, prefix: prefixCache,
                stopCondition: { watcher.shouldStop(row: $0, generated: $1) },
                shouldStop: { sinkError != nil || shouldStop() },
                finished: { index, ids in
                    guard sinkError == nil else { return }
                    let now = elapsed()
                    // Each prediction's seconds: its share of the wall time (time since the previous
                    // example finished), so a run's predictions add up to its wall time.
                    let prediction = score(items[index], ids, rule: rule, seconds: now - lastFinish)
                    lastFinish = now
                    totals.n += 1
                    totals.tokensGenerated += ids.count
                    for (r, s) in prediction.scores where s.correct { totals.correct[r, default: 0] += 1 }
                    do {
                        try sink.handle(.prediction(prediction))
                        uncommitted += 1
                        if uncommitted >= commitEvery || now - lastCommit >= commitSeconds { try commit() }
                    } catch {
                        sinkError = error
                    }
                })
            if let sinkError { throw sinkError }
            if uncommitted > 0 { try commit() }
            totals.wallSeconds = elapsed()
            totals.memory = EvalMemory(weightBytes: model.transformer.weightBytes, kvCachePeakBytes: outcome.kvCachePeakBytes)
            try sink.handle(outcome.completed ? .finished(totals) : .interrupted(totals))
        } catch {
            totals.wallSeconds = elapsed()
            try? sink.handle(.failed(String(describing: error)))
        }
        return totals
    }

    /// Commit predictions at least this often (seconds) …
    public var commitSeconds = 1.0
    /// … or after this many, whichever comes first.
    public var commitEvery = 64

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

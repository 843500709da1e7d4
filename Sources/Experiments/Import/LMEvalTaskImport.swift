import Foundation

/// One (model, task) of an lm-evaluation-harness invocation, read into ftlab's terms: a
/// prediction per document matched to ftlab's dataset, scored per rule exactly as the harness
/// scored it (nothing is re-scored), ready for the store.
public struct LMEvalTaskImport: Sendable {
    public struct Unmatched: Sendable, Equatable {
        public var docID: Int
        /// The beginning of the document's question, to name it.
        public var text: String
    }

    public var results: LMEvalResultsFile
    public var task: LMEvalResultsFile.Task
    public var samplesPath: String
    /// The ftlab task and split the documents were matched against.
    public var ftlabTask: String
    public var split: String
    /// Rule names in order; `primaryRule` decides `correct` and the run's accuracy, as for
    /// native runs (flexible for generation, acc for multiple choice).
    public var rules: [String]
    public var primaryRule: String
    public var predictions: [EvalPrediction]
    /// Correct predictions per rule, over `predictions`.
    public var correct: [String: Int]
    /// What the harness's results file says per rule (over every document it evaluated).
    public var harnessAccuracy: [String: Double]
    /// Documents with no example in ftlab's copy of the dataset (not stored).
    public var unmatched: [Unmatched]
    /// Hash of the results and samples files: the imported run's identity.
    public var contentHash: String

    /// gsm8k's filters are ftlab's two rules; any other filter keeps its harness name.
    public static let filterRules = ["strict-match": "strict", "flexible-extract": "flexible"]

    /// The rule a (filter, metric) pair becomes: the filter for generation tasks (exact_match
    /// under that filter), the metric for log-likelihood tasks (`acc`, `acc_norm`, filter `none`).
    static func rule(filter: String, metric: String, generation: Bool) -> String {
        if generation { return filterRules[filter] ?? filter }
        return filter == "none" ? metric : "\(metric)/\(filter)"
    }

    public init(results: LMEvalResultsFile, task: LMEvalResultsFile.Task, samples: LMEvalSamplesFile,
                dataset: Dataset) throws {
        self.results = results
        self.task = task
        samplesPath = samples.path
        ftlabTask = dataset.task
        split = dataset.split
        contentHash = SHA256.hex("lm-eval\n\(results.sha256)\n\(task.name)\n\(samples.sha256)")
        // Documents in file order, each with its lines (one per filter).
        var order: [Int] = []
        var byDoc: [Int: [LMEvalSamplesFile.Line]] = [:]
        for line in samples.lines {
            if byDoc[line.docID] == nil { order.append(line.docID) }
            byDoc[line.docID, default: []].append(line)
        }
        guard let first = samples.lines.first else {
            throw DatasetError.malformed(file: samples.path, at: .whole, message: "no samples")
        }
        let generation = first.logLikelihoods == nil
        var ruleSet: [String] = []
        var harness: [String: Double] = [:]
        for line in samples.lines {
            for metric in line.metrics.keys.sorted() {
                let r = Self.rule(filter: line.filter, metric: metric, generation: generation)
                if generation && line.metrics.count > 1 && metric != "exact_match" { continue }
                if !ruleSet.contains(r) {
                    ruleSet.append(r)
                    if let value = task.metrics["\(metric),\(line.filter)"] { harness[r] = value }
                }
            }
        }
        rules = ruleSet.sorted()
        primaryRule = ["flexible", "strict", "acc"].first(where: ruleSet.contains) ?? ruleSet.first ?? "none"
        harnessAccuracy = harness

        let matcher = ExampleMatcher(dataset)
        var taken = Set<Int>()
        var predictions: [EvalPrediction] = []
        var unmatched: [Unmatched] = []
        var correct: [String: Int] = [:]
        for docID in order {
            let lines = byDoc[docID]!
            guard let example = matcher.match(strings: lines[0].docStrings, position: docID, taken: taken) else {
                let text = lines[0].docStrings.keys.sorted().compactMap { lines[0].docStrings[$0] }.max(by: { $0.count < $1.count }) ?? ""
                unmatched.append(Unmatched(docID: docID, text: String(ExampleMatcher.normalized(text).prefix(60))))
                continue
            }
            taken.insert(example.index)
            let p = generation
                ? Self.generationPrediction(example, lines)
                : Self.choicePrediction(example, lines[0])
            for (rule, score) in p.scores where score.correct { correct[rule, default: 0] += 1 }
            predictions.append(EvalPrediction(
                exampleIndex: p.exampleIndex, prompt: p.prompt, output: p.output,
                extracted: p.scores[primaryRule]?.extracted, correct: p.scores[primaryRule]?.correct ?? false,
                gold: p.gold, scores: p.scores, promptTokens: 0, outputTokens: 0, seconds: 0))
        }
        self.predictions = predictions.sorted { $0.exampleIndex < $1.exampleIndex }
        self.unmatched = unmatched
        self.correct = correct
    }

    /// Per rule: the harness's filtered answer (`[invalid]`: nothing found) and its exact_match.
    static func generationPrediction(_ example: Example, _ lines: [LMEvalSamplesFile.Line]) -> EvalPrediction {
        var scores: [String: RuleScore] = [:]
        for line in lines {
            guard let (metric, value) = line.metrics["exact_match"].map({ ("exact_match", $0) })
                    ?? line.metrics.sorted(by: { $0.key < $1.key }).first.map({ ($0.key, $0.value) }) else { continue }
            let extracted = line.filteredText.flatMap { $0 == "[invalid]" ? nil : $0 }
            scores[rule(filter: line.filter, metric: metric, generation: true)] = RuleScore(extracted: extracted, correct: value == 1)
        }
        return EvalPrediction(exampleIndex: example.index, prompt: lines[0].prompt ?? "", output: lines[0].generated ?? "",
                              extracted: nil, correct: false, gold: example.answer, scores: scores,
                              promptTokens: 0, outputTokens: 0, seconds: 0)
    }

    /// `acc` and `acc_norm` as the harness scored them. The harness logs the log-likelihoods but
    /// not its pick: a correct pick is the gold choice, a wrong one the best-scoring other choice
    /// under the rule (acc: log-likelihood; acc_norm: per character of the choice, as the harness
    /// normalises).
    static func choicePrediction(_ example: Example, _ line: LMEvalSamplesFile.Line) -> EvalPrediction {
        let lls = line.logLikelihoods ?? []
        let gold = example.goldChoiceIndex ?? line.target.flatMap { Int($0) } ?? 0
        let lengths = line.continuations.map { c -> Double in
            let choice = c.hasPrefix(" ") ? String(c.dropFirst()) : c
            return Double(max(choice.unicodeScalars.count, 1))
        }
        var scores: [String: RuleScore] = [:]
        for (metric, value) in line.metrics {
            let values = metric == "acc_norm" && lengths.count == lls.count ? zip(lls, lengths).map { $0 / $1 } : lls
            let isCorrect = value == 1
            var pick = gold
            if !isCorrect {
                pick = values.indices.filter { $0 != gold }.max(by: { values[$0] < values[$1] }) ?? gold
            }
            scores[rule(filter: line.filter, metric: metric, generation: false)] =
                RuleScore(extracted: Example.choiceLetter(pick), correct: isCorrect, choiceScores: values)
        }
        let accPick = scores["acc"]?.extracted.flatMap { $0.unicodeScalars.first.map { Int($0.value) - 65 } } ?? gold
        let text = example.choices.flatMap { accPick < $0.count ? $0[accPick] : nil } ?? ""
        return EvalPrediction(exampleIndex: example.index, prompt: line.prompt ?? "",
                              output: "\(Example.choiceLetter(accPick)). \(text)", extracted: nil, correct: false,
                              gold: example.answer, scores: scores, promptTokens: 0, outputTokens: 0, seconds: 0)
    }

    public var n: Int { predictions.count }

    /// Per rule: this import's accuracy over its predictions.
    public var accuracy: [String: Double] {
        Dictionary(uniqueKeysWithValues: rules.map { ($0, n == 0 ? 0 : Double(correct[$0] ?? 0) / Double(n)) })
    }

    /// Rules whose accuracy here differs from the harness's own number (documents left
    /// unmatched, or a samples file that does not belong to the results file).
    public var disagreements: [String] {
        rules.filter { rule in harnessAccuracy[rule].map { $0 != accuracy[rule] } ?? false }
    }
}

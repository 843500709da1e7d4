/// How a generative run's score depends on its generation budget (the cap on new tokens).
///
/// An answer that reaches the cap is cut off mid-reasoning; the extracted "answer" is then the
/// last number of a partial solution, and is usually wrong. A method that only makes answers
/// shorter therefore gains on exactly the questions its zero-shot baseline ran out of budget on.
/// The study found this behind two of its largest effects, so the report separates the two kinds
/// of question instead of leaving the reader to find it in SQL.
public struct BudgetSummary: Equatable, Sendable {
    public let runID: Int64
    /// The run's cap on new tokens.
    public let limit: Int
    public let n: Int
    public let meanTokens: Double
    /// Answers whose generated token count reached `limit`.
    public let capped: Int
    public let correctCapped: Int
    public let correctFinished: Int

    public var finished: Int { n - capped }
    public var accuracyCapped: Double? { capped == 0 ? nil : Double(correctCapped) / Double(capped) }
    public var accuracyFinished: Double? { finished == 0 ? nil : Double(correctFinished) / Double(finished) }

    /// nil for a run without a cap (scored by likelihood, or imported) or without token counts.
    public init?(_ run: ReportRun) {
        guard let limit = run.maxNewTokens, limit > 0 else { return nil }
        let counted = run.outcomes.compactMap { o in o.outputTokens.map { (tokens: $0, correct: o.correct) } }
        guard !counted.isEmpty else { return nil }
        runID = run.id
        self.limit = limit
        n = counted.count
        meanTokens = Double(counted.reduce(0) { $0 + $1.tokens }) / Double(n)
        let cut = counted.filter { Self.reachedCap($0.tokens, limit) }
        capped = cut.count
        correctCapped = cut.filter(\.correct).count
        correctFinished = counted.filter { !Self.reachedCap($0.tokens, limit) && $0.correct }.count
    }

    /// An answer of `tokens` generated tokens under a cap of `limit` was cut off (a count above
    /// the cap, from a run that counted a stop token, is cut off too).
    static func reachedCap(_ tokens: Int, _ limit: Int) -> Bool { tokens >= limit }
}

/// A method's run against its zero-shot partner, on the paired examples split by whether the
/// zero-shot answer reached the cap. On the questions zero-shot finished, Δ compares two complete
/// answers (where the method also finished); on the others it measures mostly what the method
/// does with the budget the baseline ran out of.
public struct BudgetSplit: Equatable, Sendable {
    public struct Stratum: Equatable, Sendable {
        public let n: Int
        public let beforeCorrect: Int
        public let afterCorrect: Int
        /// Answers of the method's run in this stratum that reached its own cap.
        public let afterCapped: Int
        public init(n: Int, beforeCorrect: Int, afterCorrect: Int, afterCapped: Int) {
            self.n = n; self.beforeCorrect = beforeCorrect; self.afterCorrect = afterCorrect; self.afterCapped = afterCapped
        }
        public var beforeAccuracy: Double? { n == 0 ? nil : Double(beforeCorrect) / Double(n) }
        public var afterAccuracy: Double? { n == 0 ? nil : Double(afterCorrect) / Double(n) }
        public var delta: Double? { n == 0 ? nil : Double(afterCorrect - beforeCorrect) / Double(n) }
    }

    public let beforeRunID: Int64
    public let afterRunID: Int64
    /// The zero-shot answer finished within its cap.
    public let finished: Stratum
    /// The zero-shot answer reached its cap.
    public let capped: Stratum

    /// nil unless both runs have caps and token counts on their shared examples.
    public init?(before: ReportRun, after: ReportRun) {
        guard let beforeLimit = before.maxNewTokens, let afterLimit = after.maxNewTokens else { return nil }
        typealias Pair = (beforeCut: Bool, beforeCorrect: Bool, afterCut: Bool, afterCorrect: Bool)
        let pairs = PairedComparison.pairedOutcomes(before, after).compactMap { x, y -> Pair? in
            guard let a = x.outputTokens, let b = y.outputTokens else { return nil }
            return (BudgetSummary.reachedCap(a, beforeLimit), x.correct, BudgetSummary.reachedCap(b, afterLimit), y.correct)
        }
        guard !pairs.isEmpty else { return nil }
        func stratum(_ rows: [Pair]) -> Stratum {
            Stratum(n: rows.count, beforeCorrect: rows.filter(\.beforeCorrect).count,
                    afterCorrect: rows.filter(\.afterCorrect).count, afterCapped: rows.filter(\.afterCut).count)
        }
        beforeRunID = before.id
        afterRunID = after.id
        finished = stratum(pairs.filter { !$0.beforeCut })
        capped = stratum(pairs.filter(\.beforeCut))
    }
}

extension Study {
    /// The budget of every scored run that has one, in run order.
    public var budgets: [BudgetSummary] { runs.compactMap(BudgetSummary.init) }

    /// The budget split of every paired comparison on `dataset` whose runs both have one.
    public func budgetSplits(in dataset: DatasetKey) -> [(transfer: TransferResult, split: BudgetSplit)] {
        transfers.filter { $0.summary.dataset == dataset }.flatMap { t in
            pairedRuns(of: t).compactMap { pair in BudgetSplit(before: pair.before, after: pair.after).map { (t, $0) } }
        }
    }
}

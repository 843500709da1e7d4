/// A method against the same model's zero-shot score on the same examples.
public struct TransferResult: Equatable, Sendable {
    public enum Verdict: String, Equatable, Sendable {
        /// Δ < 0 and, in every seed, Δ < 0 with McNemar p < 0.05.
        case negativeSignificant = "negative transfer (significant)"
        /// Δ < 0 but not significant by that rule.
        case negativeNotSignificant = "negative transfer (not significant)"
        /// Δ ≥ 0.
        case none = "no negative transfer"
    }

    public let summary: MethodSummary
    /// One comparison per run of the method, each against its zero-shot partner.
    public let comparisons: [PairedComparison]
    /// Mean over seeds of the per-seed Δ.
    public let delta: Double
    /// Stratified paired bootstrap interval of that mean.
    public let interval: Interval
    /// The largest per-seed exact McNemar p (intersection–union test, see `verdict`).
    public let pValue: Double
    public let verdict: Verdict

    public var lost: Int { comparisons.reduce(0) { $0 + $1.beforeOnly } }
    public var gained: Int { comparisons.reduce(0) { $0 + $1.afterOnly } }
    public var pairs: Int { comparisons.reduce(0) { $0 + $1.pairs } }
    public var isNegative: Bool { delta < 0 }

    init(summary: MethodSummary, comparisons: [PairedComparison], interval: Interval) {
        self.summary = summary
        self.comparisons = comparisons
        self.delta = Descriptive.mean(comparisons.map(\.delta))
        self.interval = interval
        self.pValue = comparisons.map(\.pValue).max() ?? 1
        // Intersection–union rule: negative transfer is called significant only if every seed
        // shows it (Δ < 0 and p < 0.05). Each per-seed test is exact; requiring all of them keeps
        // the overall error rate at 5 % without assuming seeds are independent (they share the
        // examples), at the price of being conservative with many seeds.
        let negative = delta < 0
        let everySeed = !comparisons.isEmpty && comparisons.allSatisfy { $0.delta < 0 && $0.pValue < 0.05 }
        verdict = negative ? (everySeed ? .negativeSignificant : .negativeNotSignificant) : .none
    }

    /// "*" / "**" when every seed moves in the direction of Δ with p < 0.05 / 0.01 (see
    /// `SignificanceMark`), "" otherwise.
    public var mark: String {
        SignificanceMark.mark(delta: delta, seeds: comparisons.map { ($0.delta, $0.pValue) })
    }
}

/// The method to use for one model on one task split, and what the data cannot separate from it.
public struct Recommendation: Equatable, Sendable {
    public let model: String
    public let dataset: DatasetKey
    public let best: MethodSummary
    /// Methods the data cannot separate from the best, best first.
    public let ties: [MethodSummary]
    /// Methods the best is ahead of by the paired test, best first.
    public let behind: [MethodSummary]
    /// Methods that share no scored example with the best: compared by Wilson intervals instead.
    public let unpaired: Set<String>

    /// How many other methods were compared (0: the model has runs of one method only).
    public var alternatives: Int { ties.count + behind.count }

    /// Highest mean accuracy wins (ties in the mean go to the canonical method order, so cheaper
    /// methods first). Every other method is then compared with the winner example by example,
    /// the way Δ is: each of its runs against the winner's run that scored the most of its
    /// examples (the same seed among equals), exact McNemar on the discordant examples. The
    /// winner is ahead only if it is ahead in every seed with p < 0.05 (the intersection–union
    /// rule of the negative-transfer verdict); otherwise the two are a tie. Pairing is what makes
    /// this agree with the Δ tables: two unpaired Wilson intervals can overlap while the paired
    /// test separates the runs clearly (they share their examples). A method that shares no
    /// example with the winner falls back to overlapping pooled Wilson intervals.
    static func make(model: String, dataset: DatasetKey, summaries: [MethodSummary]) -> Recommendation? {
        let ranked = summaries.sorted {
            ($0.meanAccuracy, -Methods.rank($0.method)) > ($1.meanAccuracy, -Methods.rank($1.method))
        }
        guard let best = ranked.first else { return nil }
        var ties: [MethodSummary] = [], behind: [MethodSummary] = []
        var unpaired: Set<String> = []
        for other in ranked.dropFirst() {
            switch pairedVerdict(best: best, other: other) {
            case .ahead: behind.append(other)
            case .notSeparated: ties.append(other)
            case .noSharedExamples:
                unpaired.insert(other.method)
                if other.interval.overlaps(best.interval) { ties.append(other) } else { behind.append(other) }
            }
        }
        return Recommendation(model: model, dataset: dataset, best: best, ties: ties, behind: behind, unpaired: unpaired)
    }

    enum PairedVerdict { case ahead, notSeparated, noSharedExamples }

    /// The paired test of `best` against `other`, seed by seed (see `make`).
    static func pairedVerdict(best: MethodSummary, other: MethodSummary) -> PairedVerdict {
        // First: best, second: the other method; one table a seed.
        let tests = other.runs.map { PairedCounts(StudyAnalysis.partner(of: $0, among: best.runs), $0) }.filter { $0.n > 0 }
        guard !tests.isEmpty else { return .noSharedExamples }
        let everySeed = tests.allSatisfy { $0.firstOnly > $0.secondOnly && $0.pValue < 0.05 }
        return everySeed ? .ahead : .notSeparated
    }
}

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
    /// The paired tables (best first, the method second, pooled over its seeds) of the methods
    /// whose runs were paired with the best's on only part of their examples — a baseline scored
    /// on the whole test against a method scored on its first 500, say. Their mean accuracies come
    /// from different questions, so the report also prints both accuracies on the shared ones,
    /// the numbers the paired test actually compared.
    public let partialOverlap: [String: PairedCounts]

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
        var partialOverlap: [String: PairedCounts] = [:]
        for other in ranked.dropFirst() {
            let tables = pairedTables(best: best, other: other)
            if tables.contains(where: \.coversOnlyPart) { partialOverlap[other.method] = tables.map(\.counts).reduce(PairedCounts(), +) }
            switch verdict(tables.map(\.counts)) {
            case .ahead: behind.append(other)
            case .notSeparated: ties.append(other)
            case .noSharedExamples:
                unpaired.insert(other.method)
                if other.interval.overlaps(best.interval) { ties.append(other) } else { behind.append(other) }
            }
        }
        return Recommendation(model: model, dataset: dataset, best: best, ties: ties, behind: behind,
                              unpaired: unpaired, partialOverlap: partialOverlap)
    }

    enum PairedVerdict { case ahead, notSeparated, noSharedExamples }

    /// One run of the other method against its partner among the best's runs.
    struct PairedTable {
        let counts: PairedCounts
        /// Either run scored examples the other did not.
        let coversOnlyPart: Bool
    }

    /// A table a seed of `other` (first: best, second: the other method), empty ones dropped.
    static func pairedTables(best: MethodSummary, other: MethodSummary) -> [PairedTable] {
        other.runs.map { run in
            let partner = StudyAnalysis.partner(of: run, among: best.runs)
            let counts = PairedCounts(partner, run)
            return PairedTable(counts: counts, coversOnlyPart: counts.n < run.n || counts.n < partner.n)
        }.filter { $0.counts.n > 0 }
    }

    /// The paired test of the best against another method, seed by seed (see `make`).
    static func verdict(_ tables: [PairedCounts]) -> PairedVerdict {
        guard !tables.isEmpty else { return .noSharedExamples }
        let everySeed = tables.allSatisfy { $0.firstOnly > $0.secondOnly && $0.pValue < 0.05 }
        return everySeed ? .ahead : .notSeparated
    }
}

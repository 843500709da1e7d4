/// The best method for one model on one task split, and the methods it cannot be told apart from.
public struct Recommendation: Equatable, Sendable {
    public let model: String
    public let dataset: DatasetKey
    public let best: MethodSummary
    /// Methods whose Wilson interval overlaps the best one's, best first.
    public let ties: [MethodSummary]
    /// How many other methods were compared (0: the model has runs of one method only).
    public var alternatives: Int = 0

    /// Highest mean accuracy wins (ties in the mean go to the canonical method order, so cheaper
    /// methods first); any method whose pooled Wilson 95 % interval overlaps the winner's is
    /// reported as a tie, since the data cannot separate them.
    static func make(model: String, dataset: DatasetKey, summaries: [MethodSummary]) -> Recommendation? {
        let ranked = summaries.sorted {
            ($0.meanAccuracy, -Methods.rank($0.method)) > ($1.meanAccuracy, -Methods.rank($1.method))
        }
        guard let best = ranked.first else { return nil }
        let ties = ranked.dropFirst().filter { $0.interval.overlaps(best.interval) }
        return Recommendation(model: model, dataset: dataset, best: best, ties: Array(ties), alternatives: ranked.count - 1)
    }
}

/// The runs of one (model, task split, method) — usually one per seed — and their accuracy.
public struct MethodSummary: Equatable, Sendable {
    public let model: String
    public let params: Int64
    public let dataset: DatasetKey
    public let method: String
    /// Sorted by seed, then run id.
    public let runs: [ReportRun]

    public init(model: String, params: Int64, dataset: DatasetKey, method: String, runs: [ReportRun]) {
        self.model = model; self.params = params; self.dataset = dataset; self.method = method
        self.runs = runs.sorted { ($0.seed, $0.id) < ($1.seed, $1.id) }
    }

    public var seeds: [Int64] { runs.map(\.seed) }
    public var accuracies: [Double] { runs.map(\.accuracy) }
    /// Each seed weighs the same, whatever its number of examples.
    public var meanAccuracy: Double { Descriptive.mean(accuracies) }
    /// Sample sd over seeds; nil with a single seed.
    public var sd: Double? { Descriptive.sampleStandardDeviation(accuracies) }
    public var pooledN: Int { runs.reduce(0) { $0 + $1.n } }
    public var pooledCorrect: Int { runs.reduce(0) { $0 + $1.correct } }
    /// Wilson 95 % on all predictions of all seeds together. It treats seed × example as
    /// independent trials, which the same examples across seeds are not, so it is a little
    /// narrow when seeds agree; the sd over seeds is printed beside it for that reason.
    public var interval: Interval { Wilson.interval(correct: pooledCorrect, n: pooledN) }
}

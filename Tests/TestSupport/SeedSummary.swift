import Store

/// What `SeedData.populate` inserted, kept in memory so tests can compute expected answers
/// without going through SQL (and so catch SQL that is wrong).
public struct SeedSummary: Sendable {
    public struct Run: Sendable, Equatable {
        public let id: Int64
        public let modelKey: String
        public let family: String
        public let params: Int64
        public let method: RunMethod
        public let seed: Int64
        public let shots: Int
        public let lr: Double?
        public let rank: Int?
        public let alpha: Double?
        public let n: Int
        public let correct: Int
        public let accuracy: Double
        /// Per-example correctness, indexed by example_index.
        public let outcomes: [Bool]
    }

    public let datasetID: Int64
    public let modelIDs: [String: Int64]
    public let runs: [Run]

    public var predictionCount: Int { runs.reduce(0) { $0 + $1.n } }

    public func runs(model: String, method: RunMethod) -> [Run] {
        runs.filter { $0.modelKey == model && $0.method == method }
    }

    /// Mean of run accuracies (each seed weighs the same), as `AVG(accuracy)` computes it.
    public func meanAccuracy(model: String, method: RunMethod) -> Double {
        let selected = runs(model: model, method: method)
        guard !selected.isEmpty else { return .nan }
        return selected.map(\.accuracy).reduce(0, +) / Double(selected.count)
    }
}

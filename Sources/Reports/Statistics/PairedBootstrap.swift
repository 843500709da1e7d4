/// Percentile bootstrap for a difference in accuracy between two runs scored on the same examples.
///
/// Examples (not runs) are the unit resampled: each resample draws n example indices with
/// replacement and recomputes Δ = acc(after) − acc(before) on them, keeping each example's pair
/// together, so the interval reflects the correlation between the two runs. With several seeds
/// the resample draws examples independently within each seed's pair and averages the per-seed
/// Δs, which is the interval of the mean-over-seeds Δ that the reports print.
public struct PairedBootstrap: Equatable, Sendable {
    public var resamples: Int
    public var seed: UInt64
    public var level: Double

    public init(resamples: Int = 2000, seed: UInt64 = 20_240_601, level: Double = 0.95) {
        precondition(resamples > 0 && level > 0 && level < 1)
        self.resamples = resamples
        self.seed = seed
        self.level = level
    }

    /// The interval for Δ = mean(after) − mean(before); `pairs` are (before, after) outcomes.
    public func interval(_ pairs: [(before: Bool, after: Bool)]) -> Interval {
        interval(strata: [pairs])
    }

    /// Mean over strata (seeds) of each stratum's Δ. Empty strata are ignored.
    public func interval(strata: [[(before: Bool, after: Bool)]]) -> Interval {
        // Only the per-example difference matters: +1 (gained), −1 (lost), 0 (same).
        let diffs: [[Int8]] = strata.filter { !$0.isEmpty }.map { pairs in
            pairs.map { Int8(($0.after ? 1 : 0) - ($0.before ? 1 : 0)) }
        }
        guard !diffs.isEmpty else { return Interval(0, 0) }
        var rng = SeededGenerator(seed: seed)
        var estimates = [Double](repeating: 0, count: resamples)
        for r in 0..<resamples {
            var total = 0.0
            for d in diffs {
                var sum = 0
                for _ in 0..<d.count { sum += Int(d[rng.index(below: d.count)]) }
                total += Double(sum) / Double(d.count)
            }
            estimates[r] = total / Double(diffs.count)
        }
        estimates.sort()
        let alpha = (1 - level) / 2
        return Interval(Descriptive.quantile(sorted: estimates, alpha),
                        Descriptive.quantile(sorted: estimates, 1 - alpha))
    }
}

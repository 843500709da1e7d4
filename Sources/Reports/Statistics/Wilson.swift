import Foundation

/// The Wilson score interval for a binomial proportion.
///
/// Chosen over the Wald interval p ± z·√(p(1−p)/n) because accuracies of small models sit near 0
/// and runs are often small (20–200 examples): there Wald collapses to a zero-width interval at
/// 0/n or n/n and undercovers, while Wilson stays inside [0, 1] and keeps close to nominal coverage.
public enum Wilson {
    /// The two-sided 95 % normal quantile, Φ⁻¹(0.975).
    public static let z95 = 1.959963984540054

    /// (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n). With n = 0 nothing is known: [0, 1].
    public static func interval(correct: Int, n: Int, z: Double = z95) -> Interval {
        precondition(correct >= 0 && correct <= n, "correct must lie in 0…n")
        guard n > 0 else { return Interval(0, 1) }
        let nd = Double(n)
        let p = Double(correct) / nd
        let z2 = z * z
        let denominator = 1 + z2 / nd
        let center = (p + z2 / (2 * nd)) / denominator
        let half = z / denominator * (p * (1 - p) / nd + z2 / (4 * nd * nd)).squareRoot()
        // Clamp rounding noise: at 0/n the lower bound is exactly 0 in exact arithmetic.
        return Interval(max(0, center - half), min(1, center + half))
    }
}

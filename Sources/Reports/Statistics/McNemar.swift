import Foundation

/// The exact (binomial) McNemar test for paired binary outcomes.
///
/// Only discordant pairs carry information: b = right before / wrong after, c = the reverse.
/// Under H₀ (no change in accuracy) each discordant pair goes either way with probability ½, so
/// min(b, c) ~ Binomial(b + c, ½) and the two-sided p-value is
///     p = min(1, 2 · Σ_{i ≤ min(b,c)} C(b+c, i) / 2^(b+c)).
/// The exact form is used instead of the χ² approximation because discordant counts in small
/// evaluation sets are often below 25, where the approximation is poor.
public enum McNemar {
    public static func exactPValue(b: Int, c: Int) -> Double {
        precondition(b >= 0 && c >= 0, "counts must be non-negative")
        let n = b + c
        guard n > 0 else { return 1 }
        let k = min(b, c)
        // Terms in log space: log C(n,0)/2ⁿ = −n·ln 2, and C(n,i+1) = C(n,i)·(n−i)/(i+1).
        // 2⁻ⁿ underflows a Double beyond n ≈ 1074, so the sum is a log-sum-exp anchored at the
        // largest term, which is the last one because i ≤ k ≤ n/2 climbs the binomial's left flank.
        var logTerm = -Double(n) * M_LN2
        var logTerms = [logTerm]
        logTerms.reserveCapacity(k + 1)
        if k > 0 {
            for i in 0..<k {
                logTerm += log(Double(n - i)) - log(Double(i + 1))
                logTerms.append(logTerm)
            }
        }
        let top = logTerms.max()!
        let sum = logTerms.reduce(0.0) { $0 + exp($1 - top) }
        let logTail = top + log(sum)
        return min(1, 2 * exp(logTail))
    }
}

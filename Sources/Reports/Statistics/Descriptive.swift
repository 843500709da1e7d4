import Foundation

/// Mean and spread of a handful of per-seed values.
public enum Descriptive {
    public static func mean(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return .nan }
        return xs.reduce(0, +) / Double(xs.count)
    }

    /// The sample standard deviation (n − 1 in the denominator): seeds are a sample of the
    /// seeds one could have run. Undefined (nil) for fewer than two values, rather than 0,
    /// so a report never shows "± 0.000" for a single seed.
    public static func sampleStandardDeviation(_ xs: [Double]) -> Double? {
        guard xs.count >= 2 else { return nil }
        let m = mean(xs)
        let ss = xs.reduce(0) { $0 + ($1 - m) * ($1 - m) }
        return (ss / Double(xs.count - 1)).squareRoot()
    }

    /// The q-quantile of sorted values by linear interpolation between order statistics
    /// (Hyndman & Fan type 7, the default of R and NumPy).
    public static func quantile(sorted xs: [Double], _ q: Double) -> Double {
        precondition(!xs.isEmpty, "quantile of nothing")
        let h = Double(xs.count - 1) * q
        let lo = Int(h.rounded(.down))
        let hi = min(lo + 1, xs.count - 1)
        return xs[lo] + (h - Double(lo)) * (xs[hi] - xs[lo])
    }
}

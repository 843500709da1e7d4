import Foundation

/// Colours, axes and tick choices shared by the two plots.
enum PlotStyle {
    /// Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
    static func color(_ method: String) -> String {
        // A method trained at several learning rates (`full lr=0.0001`): the plain colour for
        // small rates, reddish purple for a large one (≥ 5e-5), so the two lines differ.
        if let space = method.firstIndex(of: " "), let lr = Double(method[method.index(after: space)...].drop { $0 != "=" }.dropFirst()) {
            let base = String(method[..<space])
            return base == "full" && lr >= 5e-5 ? "#CC79A7" : color(base)
        }
        switch method {
        case "zero_shot": return "#444444"
        case "few_shot": return "#E69F00"
        case "full": return "#D55E00"
        case "lora": return "#0072B2"
        case "dora": return "#009E73"
        default: return "#CC79A7"
        }
    }

    /// Zero-shot is the reference, so it is the dashed line.
    static func dash(_ method: String) -> [Double]? { method == Methods.baseline ? [6, 4] : nil }

    /// Ticks on a log10 axis between two parameter counts: 1-2-5 per decade, or every integer
    /// multiple when the range is too short (within one decade) to show at least three.
    static func logTicks(from lo: Double, to hi: Double) -> [Double] {
        let kLo = Int(floor(log10(lo))), kHi = Int(ceil(log10(hi)))
        for mantissas in [[1.0, 2, 5], [1.0, 2, 3, 4, 5, 6, 7, 8, 9]] {
            var ticks: [Double] = []
            for k in kLo...kHi {
                for m in mantissas {
                    let v = m * pow(10, Double(k))
                    if v >= lo * 0.999999 && v <= hi * 1.000001 { ticks.append(v) }
                }
            }
            if ticks.count >= 3 || mantissas.count == 9 { return ticks }
        }
        return []
    }

    /// Evenly spaced "nice" ticks covering [lo, hi], at most about `maxTicks`.
    static func linearTicks(from lo: Double, to hi: Double, maxTicks: Int = 8) -> (ticks: [Double], lo: Double, hi: Double) {
        let span = max(hi - lo, 1e-9)
        let step = [0.01, 0.02, 0.025, 0.05, 0.1, 0.2, 0.25, 0.5, 1].first { span / $0 <= Double(maxTicks) } ?? 1
        let start = floor(lo / step + 1e-9) * step
        let end = ceil(hi / step - 1e-9) * step
        var ticks: [Double] = []
        var v = start
        while v <= end + step / 2 {
            ticks.append(abs(v) < 1e-12 ? 0 : v)
            v += step
        }
        return (ticks, start, end)
    }

    /// As many decimals as the step needs (0.1 → 1, 0.05 → 2, 0.025 → 3); the step comes from
    /// subtracting ticks, so it is compared with a tolerance, not exactly.
    static func tickLabel(_ v: Double, step: Double) -> String {
        let digits = (1...3).first { d in
            let scaled = step * pow(10, Double(d))
            return abs(scaled - scaled.rounded()) < 1e-6
        } ?? 3
        return String(format: "%.\(digits)f", v)
    }
}

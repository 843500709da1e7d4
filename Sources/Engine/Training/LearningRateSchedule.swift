import Foundation

/// Learning rate per optimiser step: linear warm-up from 0 to `peak`, then cosine, linear or no
/// decay to `floor` at `totalSteps`.
///
/// Steps are counted from 0 (the index of the update about to be taken), as transformers'
/// `get_cosine_schedule_with_warmup` counts them, so with warm-up W:
///
///     s < W:   peak · s / W
///     s ≥ W:   p = min(1, (s − W) / max(1, T − W))
///              cosine:   floor + (peak − floor) · ½(1 + cos πp)
///              linear:   floor + (peak − floor) · (1 − p)
///              constant: peak
///
/// (transformers decays to 0; `floor` 0 reproduces it.) A warm-up ratio r becomes ⌈r·T⌉ steps,
/// as the Trainer's `get_warmup_steps` rounds it.
public struct LearningRateSchedule: Codable, Equatable, Sendable {
    public enum Decay: String, Codable, Sendable, CaseIterable { case cosine, linear, constant }

    public enum Warmup: Codable, Equatable, Sendable {
        case steps(Int)
        /// Fraction of `totalSteps`, in [0, 1].
        case ratio(Double)
    }

    public var peak: Float
    public var totalSteps: Int
    public var warmup: Warmup
    public var decay: Decay
    /// The rate the decay ends at (ignored by `.constant`).
    public var floor: Float

    public init(peak: Float, totalSteps: Int, warmup: Warmup = .steps(0), decay: Decay = .cosine, floor: Float = 0) {
        precondition(totalSteps >= 0, "learning-rate schedule: totalSteps must be >= 0")
        switch warmup {
        case .steps(let n): precondition(n >= 0, "learning-rate schedule: warm-up steps must be >= 0")
        case .ratio(let r): precondition(r >= 0 && r <= 1, "learning-rate schedule: warm-up ratio must lie in [0, 1]")
        }
        self.peak = peak; self.totalSteps = totalSteps; self.warmup = warmup; self.decay = decay; self.floor = floor
    }

    public var warmupSteps: Int {
        switch warmup {
        case .steps(let n): return n
        case .ratio(let r): return Int((r * Double(totalSteps)).rounded(.up))
        }
    }

    /// The rate for 0-based step `step` (computed in Double, rounded once).
    public func learningRate(step: Int) -> Float {
        let w = warmupSteps
        let peak = Double(self.peak), floor = Double(self.floor)
        if step < w { return Float(peak * Double(max(step, 0)) / Double(w)) }
        let progress = min(1, Double(step - w) / Double(max(1, totalSteps - w)))
        switch decay {
        case .constant: return Float(peak)
        case .linear: return Float(floor + (peak - floor) * (1 - progress))
        case .cosine: return Float(floor + (peak - floor) * 0.5 * (1 + cos(Double.pi * progress)))
        }
    }
}

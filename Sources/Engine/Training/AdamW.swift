import Foundation

/// AdamW hyper-parameters (PyTorch's `torch.optim.AdamW` fields of the same meaning).
public struct AdamWConfig: Codable, Equatable, Sendable {
    // Doubles, as PyTorch's Python floats: 1 − β2 computed from a Float β2 = 0.999 would be off
    // by 1.3e-5 relative (Float(0.999) = 0.99900001), and every v with it.
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    /// Decoupled weight decay λ: each step multiplies a decayed weight by (1 − lr·λ) before the
    /// Adam update, as PyTorch does (not L2 added to the gradient).
    public var weightDecay: Double

    public init(beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0.01) {
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon; self.weightDecay = weightDecay
    }
}

/// AdamW over a fixed list of trainable tensors, with bias correction:
///
///     w ← w − lr·λ·w                     (only where `weightDecay`)
///     m ← β1·m + (1−β1)·g ;  v ← β2·v + (1−β2)·g²
///     w ← w − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε)
///
/// The last line is PyTorch's arrangement of m̂/(√v̂ + ε), kept so results track it to rounding.
/// Both moments live in one arena allocated at init; a step allocates nothing: the work is a
/// precomputed list of ≤ `chunkSize`-element pieces (never crossing a tensor), dealt to the
/// engine's workers, each a SIMD loop whose scalar tail computes the same expression.
/// The tensors' buffers belong to the caller and must outlive the optimiser.
public final class AdamW {
    public let config: AdamWConfig
    public let tensors: [TrainableTensor]
    /// Steps taken (t of the bias correction); restored by `loadState`.
    public private(set) var stepCount: Int = 0
    /// Total number of optimised values.
    public let parameterCount: Int

    /// exp_avg then exp_avg_sq, each `parameterCount` long, tensor by tensor.
    private let moments: UnsafeMutableBufferPointer<Float>
    /// Start of each tensor's moments in each half of `moments`.
    private let offsets: [Int]
    private let pieces: UnsafeMutableBufferPointer<Piece>

    /// Elements per work piece: large enough that a piece amortises its hand-off, small enough
    /// that the cores share a few big tensors evenly.
    static let chunkSize = 1 << 15

    struct Piece {
        var value: UnsafeMutablePointer<Float>
        var grad: UnsafeMutablePointer<Float>
        var m: UnsafeMutablePointer<Float>
        var v: UnsafeMutablePointer<Float>
        var count: Int
        var decay: Bool
    }

    public init(tensors: [TrainableTensor], config: AdamWConfig = AdamWConfig()) {
        precondition(config.beta1 >= 0 && config.beta1 < 1 && config.beta2 >= 0 && config.beta2 < 1,
                     "AdamW: betas must lie in [0, 1)")
        precondition(Set(tensors.map(\.name)).count == tensors.count, "AdamW: duplicate tensor names")
        self.config = config
        self.tensors = tensors
        var offsets: [Int] = [], total = 0
        for t in tensors { offsets.append(total); total += t.value.count }
        self.offsets = offsets
        parameterCount = total
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(2 * total, 1) * 4, alignment: 64)
        moments = UnsafeMutableBufferPointer(start: raw.bindMemory(to: Float.self, capacity: max(2 * total, 1)), count: 2 * total)
        moments.initialize(repeating: 0)
        var list: [Piece] = []
        let base = moments.baseAddress!
        for (t, off) in zip(tensors, offsets) {
            var i = 0
            while i < t.value.count {
                let n = min(Self.chunkSize, t.value.count - i)
                list.append(Piece(value: t.value.baseAddress! + i, grad: t.grad.baseAddress! + i,
                                  m: base + off + i, v: base + total + off + i, count: n, decay: t.weightDecay))
                i += n
            }
        }
        pieces = UnsafeMutableBufferPointer<Piece>.allocate(capacity: max(list.count, 1))
        _ = pieces.initialize(from: list)
        pieceCount = list.count
    }

    private let pieceCount: Int

    deinit {
        UnsafeMutableRawPointer(moments.baseAddress!).deallocate()
        pieces.deallocate()
    }

    /// First moment (exp_avg) of tensor `i`.
    public func firstMoment(_ i: Int) -> UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(start: moments.baseAddress! + offsets[i], count: tensors[i].value.count)
    }

    /// Second moment (exp_avg_sq) of tensor `i`.
    public func secondMoment(_ i: Int) -> UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(start: moments.baseAddress! + parameterCount + offsets[i], count: tensors[i].value.count)
    }

    /// One update of every tensor from its current gradient (gradients are left as they are).
    public func step(learningRate lr: Float) {
        stepCount += 1
        let t = Double(stepCount)
        // Bias corrections in Double: β2ᵗ near 1 loses digits in Float.
        let c = config
        let bc1 = 1 - pow(c.beta1, t)
        let bc2 = 1 - pow(c.beta2, t)
        // Every coefficient is formed in Double and rounded once to Float, as PyTorch does.
        let region = Update(pieces: UnsafePointer(pieces.baseAddress!),
                            beta1: Float(c.beta1), oneMinusBeta1: Float(1 - c.beta1),
                            beta2: Float(c.beta2), oneMinusBeta2: Float(1 - c.beta2),
                            epsilon: Float(c.epsilon), decayFactor: Float(1 - Double(lr) * c.weightDecay),
                            stepSize: Float(Double(lr) / bc1), invSqrtBC2: Float(1 / bc2.squareRoot()))
        Parallel.forRanges(pieceCount, costPerItem: Self.chunkSize, region)
    }

    /// Sets every gradient to zero (the usual start of an accumulation cycle).
    public func zeroGradients() {
        for t in tensors { t.grad.update(repeating: 0) }
    }

    private struct Update: RangeRegion {
        let pieces: UnsafePointer<Piece>
        let beta1, oneMinusBeta1, beta2, oneMinusBeta2, epsilon, decayFactor, stepSize, invSqrtBC2: Float

        func run(_ range: Range<Int>) {
            for p in range { apply(pieces[p]) }
        }

        @inline(__always)
        func apply(_ p: Piece) {
            let b1 = beta1, c1 = oneMinusBeta1, b2 = beta2, c2 = oneMinusBeta2
            let decay: Float = p.decay ? decayFactor : 1
            var i = 0
            while i + 16 <= p.count {
                let g = load16(p.grad + i)
                let m = b1 * load16(p.m + i) + c1 * g
                let v = b2 * load16(p.v + i) + c2 * (g * g)
                store16(m, p.m + i)
                store16(v, p.v + i)
                let denom = v.squareRoot() * invSqrtBC2 + epsilon
                store16(load16(p.value + i) * decay - stepSize * (m / denom), p.value + i)
                i += 16
            }
            while i < p.count {
                let g = p.grad[i]
                let m = b1 * p.m[i] + c1 * g
                let v = b2 * p.v[i] + c2 * (g * g)
                p.m[i] = m
                p.v[i] = v
                let denom = v.squareRoot() * invSqrtBC2 + epsilon
                p.value[i] = p.value[i] * decay - stepSize * (m / denom)
                i += 1
            }
        }
    }

    // MARK: - State for resuming

    static let formatName = "ftlab-adamw-1"

    /// Writes the moments (`<tensor>.exp_avg`, `<tensor>.exp_avg_sq`) and, in the header's
    /// metadata, the step count and hyper-parameters, to one safetensors file (via a temporary
    /// file renamed into place).
    public func saveState(to path: String) throws {
        var list: [(name: String, shape: [Int])] = []
        var source: [String: UnsafeBufferPointer<Float>] = [:]
        for (i, t) in tensors.enumerated() {
            list.append((t.name + ".exp_avg", t.shape)); source[t.name + ".exp_avg"] = firstMoment(i)
            list.append((t.name + ".exp_avg_sq", t.shape)); source[t.name + ".exp_avg_sq"] = secondMoment(i)
        }
        let meta = ["format": Self.formatName, "step": String(stepCount),
                    "beta1": "\(config.beta1)", "beta2": "\(config.beta2)",
                    "epsilon": "\(config.epsilon)", "weight_decay": "\(config.weightDecay)"]
        try SafeTensorsWriter.write(to: path, metadata: meta, tensors: list) { name, buffer in
            _ = buffer.initialize(from: source[name]!)
        }
    }

    /// Restores moments and step count written by `saveState` for the same tensors (names and
    /// shapes must match; extra or missing tensors are errors naming the tensor).
    public func loadState(from path: String) throws {
        let file = try SafeTensorsFile(path: path)
        func fail(_ field: String, _ problem: String) -> SafeTensorsError { SafeTensorsError(file: path, field: field, problem: problem) }
        guard file.metadata["format"] == Self.formatName else {
            throw fail("__metadata__.format", "expected \(Self.formatName), found \(file.metadata["format"] ?? "none")")
        }
        guard let s = file.metadata["step"], let step = Int(s), step >= 0 else {
            throw fail("__metadata__.step", "missing or not a non-negative integer")
        }
        // Validate everything before touching the moments, so a bad file leaves them as they were.
        var expected = Set<String>()
        var loads: [(SafeTensorInfo, UnsafeMutableBufferPointer<Float>)] = []
        for (i, t) in tensors.enumerated() {
            for (suffix, half) in [(".exp_avg", 0), (".exp_avg_sq", parameterCount)] {
                let name = t.name + suffix
                expected.insert(name)
                guard let info = file.tensor(named: name) else { throw fail("tensor '\(name)'", "missing") }
                guard info.dtype == .f32 else { throw fail("tensor '\(name)'", "dtype \(info.dtype.rawValue), expected F32") }
                guard info.shape == t.shape else { throw fail("tensor '\(name)'", "shape \(info.shape), expected \(t.shape)") }
                loads.append((info, UnsafeMutableBufferPointer(start: moments.baseAddress! + half + offsets[i], count: t.value.count)))
            }
        }
        if let extra = file.tensors.first(where: { !expected.contains($0.name) }) {
            throw fail("tensor '\(extra.name)'", "not a tensor of this optimiser")
        }
        for (info, buffer) in loads { try file.floats(info, into: buffer) }
        stepCount = step
    }
}

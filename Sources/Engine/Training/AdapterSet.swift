import Foundation

/// One LoRA/DoRA adapter on one projection: views into its `AdapterSet`'s arenas.
///
/// Rows follow the engine's weight layout. For llama GGUFs that means the rows of q_proj and
/// k_proj (B's rows, the magnitude) are in llama.cpp's permuted order; checkpoint writers undo it
/// with `HuggingFaceNames.permute` so the files match the Hugging Face model.
public struct Adapter {
    public let layer: Int
    public let projection: Projection
    public let inFeatures: Int
    public let outFeatures: Int
    public let rank: Int
    /// A: [rank, in], row-major.
    public let a: UnsafeMutableBufferPointer<Float>
    /// B: [out, rank], row-major.
    public let b: UnsafeMutableBufferPointer<Float>
    /// DoRA's m: [out]; nil for LoRA.
    public let magnitude: UnsafeMutableBufferPointer<Float>?
    public let gradA: UnsafeMutableBufferPointer<Float>
    public let gradB: UnsafeMutableBufferPointer<Float>
    public let gradMagnitude: UnsafeMutableBufferPointer<Float>?

    /// PEFT's tensor-name prefix: `base_model.model.model.layers.N.self_attn.q_proj`.
    public var peftPrefix: String { "base_model.model.model.layers.\(layer).\(projection.modulePath)" }
}

/// Every adapter of a model, values and gradients each in one 64-byte-aligned arena (so the
/// optimiser and gradient clipping can also treat them as flat buffers).
public final class AdapterSet {
    public let config: AdapterConfig
    public let model: ModelConfig
    /// In layer order, and within a layer in `Projection.allCases` order (targets only).
    public let adapters: [Adapter]
    public let values: UnsafeMutableBufferPointer<Float>
    public let grads: UnsafeMutableBufferPointer<Float>
    private let index: [Int: Int]

    public init(config: AdapterConfig, model: ModelConfig) {
        precondition(config.rank > 0, "adapter rank must be positive")
        self.config = config
        self.model = model
        let targets = Projection.allCases.filter { config.targets.contains($0) }
        var total = 0
        func take(_ n: Int) -> Int { let o = total; total += (n + 15) / 16 * 16; return o }
        var layout: [(Int, Projection, Int, Int, Int, Int?)] = []
        for l in 0..<model.layers {
            for p in targets {
                let (i, o) = p.shape(model)
                let a = take(config.rank * i), b = take(o * config.rank)
                let m = config.method == .dora ? take(o) : nil
                layout.append((l, p, a, b, m ?? -1, m))
            }
        }
        let bytes = max(total, 16) * MemoryLayout<Float>.stride
        let v = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64).bindMemory(to: Float.self, capacity: total)
        let g = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64).bindMemory(to: Float.self, capacity: total)
        values = UnsafeMutableBufferPointer(start: v, count: total)
        grads = UnsafeMutableBufferPointer(start: g, count: total)
        values.initialize(repeating: 0)
        grads.initialize(repeating: 0)
        var list: [Adapter] = []
        var idx: [Int: Int] = [:]
        for (l, p, aOff, bOff, _, mOff) in layout {
            let (i, o) = p.shape(model)
            let r = config.rank
            func view(_ base: UnsafeMutablePointer<Float>, _ off: Int, _ n: Int) -> UnsafeMutableBufferPointer<Float> {
                UnsafeMutableBufferPointer(start: base + off, count: n)
            }
            idx[Self.key(l, p)] = list.count
            list.append(Adapter(layer: l, projection: p, inFeatures: i, outFeatures: o, rank: r,
                                a: view(v, aOff, r * i), b: view(v, bOff, o * r),
                                magnitude: mOff.map { view(v, $0, o) },
                                gradA: view(g, aOff, r * i), gradB: view(g, bOff, o * r),
                                gradMagnitude: mOff.map { view(g, $0, o) }))
        }
        adapters = list
        index = idx
    }

    deinit {
        UnsafeMutableRawPointer(values.baseAddress!).deallocate()
        UnsafeMutableRawPointer(grads.baseAddress!).deallocate()
    }

    private static func key(_ layer: Int, _ p: Projection) -> Int { layer * 16 + Projection.allCases.firstIndex(of: p)! }

    /// The adapter on `projection` of `layer`, or nil when that projection is not a target.
    public func adapter(layer: Int, _ projection: Projection) -> Adapter? {
        index[Self.key(layer, projection)].map { adapters[$0] }
    }

    /// PEFT's initialisation: A ~ U(−1/√in, 1/√in) (kaiming_uniform with a = √5), B = 0, and for
    /// DoRA m = ‖W₀ row‖ (so the adapted model starts equal to the base model). `baseWeight`
    /// gives the frozen [out, in] weight of a projection in engine row order. Each adapter draws
    /// from its own stream of `seed`, so adding a target does not change the others.
    public func initialize(seed: UInt64, baseWeight: (Int, Projection) -> UnsafePointer<Float>) {
        initialize(seed: seed, rowSquaredNorms: { layer, p in
            let w = baseWeight(layer, p)
            let (inF, outF) = p.shape(self.model)
            return (0..<outF).map { r in
                var s: Double = 0
                for c in 0..<inF { let x = Double(w[r * inF + c]); s += x * x }
                return s
            }
        })
    }

    /// The same, with DoRA's magnitudes from the base rows' squared norms (Σ w² in Double, in
    /// column order) — what a quantized base provides without an fp32 copy
    /// (`Transformer.baseRowSquaredNorms`).
    public func initialize(seed: UInt64, rowSquaredNorms: (Int, Projection) -> [Double]) {
        for ad in adapters {
            var rng = SplitMix64(seed: seed, stream: UInt64(Self.key(ad.layer, ad.projection)))
            let bound = 1 / Float(ad.inFeatures).squareRoot()
            for j in 0..<ad.a.count { ad.a[j] = Float(rng.nextDouble() * 2 - 1) * bound }
            ad.b.update(repeating: 0)
            if let m = ad.magnitude {
                let norms = rowSquaredNorms(ad.layer, ad.projection)
                precondition(norms.count == ad.outFeatures, "row norms of \(ad.peftPrefix): \(norms.count) rows")
                for r in 0..<ad.outFeatures { m[r] = Float(norms[r].squareRoot()) }
            }
        }
        grads.update(repeating: 0)
    }

    /// The tensors as the optimiser sees them (magnitudes without weight decay).
    public var trainableTensors: [TrainableTensor] {
        adapters.flatMap { ad -> [TrainableTensor] in
            var t = [TrainableTensor(name: ad.peftPrefix + ".lora_A.weight", shape: [ad.rank, ad.inFeatures],
                                     value: ad.a, grad: ad.gradA, weightDecay: true),
                     TrainableTensor(name: ad.peftPrefix + ".lora_B.weight", shape: [ad.outFeatures, ad.rank],
                                     value: ad.b, grad: ad.gradB, weightDecay: true)]
            if let m = ad.magnitude, let gm = ad.gradMagnitude {
                t.append(TrainableTensor(name: ad.peftPrefix + ".lora_magnitude_vector", shape: [ad.outFeatures],
                                         value: m, grad: gm, weightDecay: false))
            }
            return t
        }
    }
}

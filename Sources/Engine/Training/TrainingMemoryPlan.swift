/// The bytes a `TrainingGraph` will allocate, computed from shapes alone — before a model is
/// loaded — so a run can be refused instead of killed. It mirrors `TrainingGraph.init` buffer by
/// buffer (a test checks the two agree exactly for every family, method and recomputation).
public struct TrainingMemoryPlan: Sendable, Equatable {
    /// Saved activations (stored layers, or inputs plus one recomputation set) [bytes].
    public var activations = 0
    /// Scratch: projections, gradients flowing back, attention, logits chunks, tiles [bytes].
    public var scratch = 0
    /// Full fine-tuning's gradient arena, or the adapters' gradients [bytes].
    public var gradients = 0
    /// Trainable values the optimizer updates besides the base (the adapters) [bytes].
    public var adapterValues = 0
    /// AdamW's two moments per trainable value [bytes].
    public var optimizer = 0

    public var total: Int { activations + scratch + gradients + adapterValues + optimizer }

    /// `quantizedBase`: the products read stored blocks (adds the transposed product's tiles and
    /// larger logits chunks). `arenaFloats`: the fp32 weight arena's length (full fine-tuning).
    public init(config c: ModelConfig, method: TrainingMethod, adapters: AdapterConfig?, maxTokens T: Int,
                quantizedBase: Bool, recompute: Bool, arenaFloats: Int, cores: Int = Parallel.cores) {
        func f(_ n: Int) -> Int { max(n, 16) * 4 }          // TrainingBufferPool: ≥ 16 elements
        func d(_ n: Int) -> Int { max(n, 16) * 8 }
        let dim = c.dim, ffn = c.ffnDim, qkvDim = c.qkvDim
        func layerSet(_ withInput: Bool) -> Int {
            (withInput ? f(T * dim) : 0) + (c.qkNorm ? f(T * qkvDim) : 0) + f(T * qkvDim) + f(T * c.qDim)
                + f(T * dim) + f(T * 2 * ffn) + (c.sandwichNorms ? 2 * f(T * dim) : 0)
        }
        activations = recompute ? layerSet(true) + (c.layers - 1) * f(T * dim) : c.layers * layerSet(true)
        activations += f(T * dim)  // finalX

        if let a = adapters {
            let targets = Projection.allCases.filter { a.targets.contains($0) }
            for p in targets {
                let (_, out) = p.shape(c)
                let perLayer = f(T * a.rank) + (method == .dora ? f(T * out) : 0)
                activations += recompute ? perLayer : c.layers * perLayer
                if method == .dora { scratch += c.layers * 3 * f(out) }   // g, 1/‖·‖, ‖W₀‖²
            }
            let values = AdapterSet.valueCount(config: a, model: c)
            adapterValues = values * 4
            gradients = values * 4
            optimizer = 2 * values * 4
        } else if method == .full {
            gradients = arenaFloats * 4
            optimizer = 2 * arenaFloats * 4
        }

        // Batch layout and RoPE tables.
        scratch += 2 * f(T) + 2 * d(T) + 2 * f(T) + d(T)     // ids, positions, seqStart/Len (Int), answers, rowLoss
        let half = c.headDim / 2
        scratch += 2 * f(T * half)
        if c.localRopeBase != nil && c.slidingWindow != nil { scratch += 2 * f(T * half) }
        // Working buffers of forward and backward.
        scratch += f(T * dim) + f(T * ffn) + f(T * dim)                       // normed, hidden, proj
        scratch += 3 * f(T * dim)                                            // dx, dh, dproj
        scratch += f(T * c.qDim) + f(T * qkvDim) + f(T * 2 * ffn) + f(T * ffn)  // dAttn, dqkv, dGateUp, dHidden
        let rank = adapters?.rank ?? 0
        let maxIn = max(dim, c.qDim, ffn), maxOut = max(qkvDim, 2 * ffn, dim)
        let dropping = (adapters?.dropout ?? 0) > 0
        scratch += f(adapters != nil && dropping ? T * maxIn : 0) + f(T * rank)
        scratch += f(method == .dora ? T * maxOut : 0) + f(method == .dora ? maxOut * rank : 0) + f(rank * rank)
        scratch += f(cores * 2 * 64 * T)                                     // attention
        scratch += 2 * f(T * dim)                                            // headIn, dHeadIn
        let chunk = max(1, min(T, (quantizedBase ? 16 << 20 : 4 << 20) / c.vocabSize))
        scratch += f(chunk * c.vocabSize)
        scratch += f(cores * max(dim, 2 * c.headDim))
        scratch += d(method == .dora ? maxOut : 0)
        if quantizedBase {
            scratch += TransposedProductScratch.plannedBytes(maxInFeatures: maxIn, cores: cores)
        }
    }
}

extension AdapterSet {
    /// Floats of the value arena (each tensor padded to 16), without allocating it.
    public static func valueCount(config: AdapterConfig, model: ModelConfig) -> Int {
        var total = 0
        func take(_ n: Int) { total += (n + 15) / 16 * 16 }
        for _ in 0..<model.layers {
            for p in Projection.allCases where config.targets.contains(p) {
                let (i, o) = p.shape(model)
                take(config.rank * i)
                take(o * config.rank)
                if config.method == .dora { take(o) }
            }
        }
        return total
    }
}

extension TransposedProductScratch {
    static func plannedBytes(maxInFeatures: Int, floatsPerWorker: Int = 1 << 21, cores: Int) -> Int {
        max(floatsPerWorker, 16 * maxInFeatures) * cores * 4
    }
}

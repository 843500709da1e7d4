import Foundation

/// Forward with saved activations and an explicit backward pass of a `Transformer`, for full
/// fine-tuning (the model's own weights, trained in place) or LoRA / DoRA adapters on the frozen
/// model.
///
/// A batch of sequences of different lengths is packed as rows of one [tokens, dim] block, so each
/// projection is one sgemm over the whole batch; attention runs per sequence (equivalent to right
/// padding with a padding mask, without the wasted work). The loss is the cross-entropy of answer
/// tokens only, and the LM head runs only on answer positions, in chunks, so [tokens, vocab] is
/// never materialised. Every buffer is allocated in `init` (sized by `maxTokens`) and reused.
public final class TrainingGraph {
    public let transformer: Transformer
    public let method: TrainingMethod
    public let adapters: AdapterSet?
    public let maxTokens: Int
    public let freezeEmbeddings: Bool
    /// Activation recomputation (gradient checkpointing): only each layer's input is kept from the
    /// forward pass; the backward pass recomputes the layer's activations, one layer at a time,
    /// into buffers shared by all layers. One more forward pass per step, a fraction of the memory.
    public let recomputesActivations: Bool

    let config: ModelConfig
    /// The weights the products read: the model's own (`Transformer.inference`): fp32 views, or
    /// the GGUF's quantized blocks for LoRA/DoRA on a quantized frozen base.
    let base: InferenceWeights
    /// The fp32 arena: full fine-tuning's master weights, updated in place (nil on a quantized base).
    let weights: TransformerWeights?
    /// Scratch of the quantized (or ordered F32) products and of their transposed products.
    let productScratch: QuantScratch?
    let transposeScratch: TransposedProductScratch?
    /// Full fine-tuning: gradients in an arena with the weights' layout (nil otherwise).
    let gradArena: UnsafeMutableBufferPointer<Float>?
    let pool: TrainingBufferPool
    let saved: [SavedLayer]
    /// Residual stream after the last layer [T, dim].
    let finalX: UnsafeMutablePointer<Float>
    /// Adapter states, and their index per layer·7 + projection (−1: none).
    let states: [AdapterState]
    let stateIndex: [Int]

    // Batch layout.
    let tokenIDs: UnsafeMutablePointer<Int32>, positions: UnsafeMutablePointer<Int32>
    let seqStart: UnsafeMutablePointer<Int>, seqLen: UnsafeMutablePointer<Int>
    let answerRows: UnsafeMutablePointer<Int32>, answerTargets: UnsafeMutablePointer<Int32>
    let rowLoss: UnsafeMutablePointer<Double>
    let ropeCos: UnsafeMutablePointer<Float>, ropeSin: UnsafeMutablePointer<Float>
    let localCos: UnsafeMutablePointer<Float>?, localSin: UnsafeMutablePointer<Float>?

    // Scratch.
    let normed: UnsafeMutablePointer<Float>, hidden: UnsafeMutablePointer<Float>, proj: UnsafeMutablePointer<Float>
    let dx: UnsafeMutablePointer<Float>, dh: UnsafeMutablePointer<Float>, dproj: UnsafeMutablePointer<Float>
    let dAttn: UnsafeMutablePointer<Float>, dqkv: UnsafeMutablePointer<Float>
    let dGateUp: UnsafeMutablePointer<Float>, dHidden: UnsafeMutablePointer<Float>
    let xd: UnsafeMutablePointer<Float>, vBuf: UnsafeMutablePointer<Float>
    let dyFused: UnsafeMutablePointer<Float>
    let wat: UnsafeMutablePointer<Float>, gram: UnsafeMutablePointer<Float>
    let attentionScratch: UnsafeMutablePointer<Float>, attentionScratchPerWorker: Int
    let queryBlock = 64
    let headIn: UnsafeMutablePointer<Float>, dHeadIn: UnsafeMutablePointer<Float>
    let logitsBuf: UnsafeMutablePointer<Float>, logitsChunk: Int
    let partials: UnsafeMutablePointer<Float>
    /// DoRA magnitude gradients: per-column Double sums [max out features].
    let columnSums: UnsafeMutablePointer<Double>
    /// The parts (projection, first output column, width) of each stacked product, built once so
    /// a step does not allocate them.
    let qkvParts: [(Projection, Int, Int)], oParts: [(Projection, Int, Int)]
    let gateUpParts: [(Projection, Int, Int)], downParts: [(Projection, Int, Int)]

    // Per-step state.
    var tokens = 0, sequences = 0, answers = 0
    var dropout: DropoutMask?
    /// Test hook: keep DoRA's 1/‖W + sBA‖ from the last step (g = m·that is still recomputed), so
    /// finite differences see the same detached norm as the backward pass.
    var freezeDoraNorms = false

    /// `adapters` must be non-nil for lora/dora (with the same method) and nil for full.
    /// `maxTokens`: the most tokens (summed over sequences) one call may carry.
    /// `freezeEmbeddings` (full only) leaves the embedding, and a tied head, untrained.
    /// Full fine-tuning needs a model loaded with fp32 weights; LoRA and DoRA train on either.
    public init(transformer: Transformer, method: TrainingMethod, adapters: AdapterSet?,
                maxTokens: Int, freezeEmbeddings: Bool = false, recomputeActivations: Bool = false) throws {
        let c = transformer.config
        func fail(_ m: String) -> Error { TransformerError.invalidInput("TrainingGraph: \(m)") }
        guard maxTokens > 0 else { throw fail("maxTokens must be positive") }
        switch method {
        case .full:
            guard adapters == nil else { throw fail("full fine-tuning takes no adapters") }
        case .lora, .dora:
            guard let a = adapters else { throw fail("\(method.rawValue) needs an AdapterSet") }
            guard a.config.method.rawValue == method.rawValue else {
                throw fail("the adapters are \(a.config.method.rawValue), the method is \(method.rawValue)")
            }
            guard a.model == c else { throw fail("the adapters were made for another model config") }
        }
        self.transformer = transformer
        self.method = method
        self.adapters = adapters
        self.maxTokens = maxTokens
        self.freezeEmbeddings = freezeEmbeddings
        recomputesActivations = recomputeActivations
        let pool = TrainingBufferPool()
        self.pool = pool
        config = c
        base = transformer.inference
        weights = transformer.fp32Arena
        productScratch = base.scratch
        let quantized = base.output.isQuantized
        transposeScratch = quantized ? TransposedProductScratch(maxInFeatures: max(c.dim, c.qDim, c.ffnDim)) : nil
        let T = maxTokens, dim = c.dim, ffn = c.ffnDim, qkvDim = c.qkvDim

        if method == .full {
            guard let weights else {
                throw fail("full fine-tuning updates fp32 weights; load the model with precision .fp32")
            }
            let n = weights.arena.count
            let raw = UnsafeMutableRawPointer.allocate(byteCount: max(n, 16) * 4, alignment: 64)
            let g = UnsafeMutableBufferPointer(start: raw.bindMemory(to: Float.self, capacity: max(n, 16)), count: n)
            g.initialize(repeating: 0)
            gradArena = g
        } else {
            gradArena = nil
        }

        var layers: [SavedLayer] = []
        func layerBuffers(x: UnsafeMutablePointer<Float>) -> SavedLayer {
            SavedLayer(
                x: x, raw: c.qkNorm ? pool.floats(T * qkvDim) : nil,
                qkv: pool.floats(T * qkvDim), attn: pool.floats(T * c.qDim), mid: pool.floats(T * dim),
                gateUp: pool.floats(T * 2 * ffn),
                projAttn: c.sandwichNorms ? pool.floats(T * dim) : nil,
                projFfn: c.sandwichNorms ? pool.floats(T * dim) : nil)
        }
        if recomputeActivations {
            // Every layer keeps its input; the rest is one set of buffers, refilled per layer.
            let shared = layerBuffers(x: pool.floats(T * dim))
            layers.append(shared)
            for _ in 1..<c.layers {
                layers.append(SavedLayer(x: pool.floats(T * dim), raw: shared.raw, qkv: shared.qkv, attn: shared.attn,
                                         mid: shared.mid, gateUp: shared.gateUp, projAttn: shared.projAttn,
                                         projFfn: shared.projFfn))
            }
        } else {
            for _ in 0..<c.layers { layers.append(layerBuffers(x: pool.floats(T * dim))) }
        }
        saved = layers
        finalX = pool.floats(T * dim)

        var list: [AdapterState] = []
        var index = [Int](repeating: -1, count: c.layers * 7)
        if let set = adapters {
            // u (and DoRA's z) live from a layer's forward to its backward: per adapter, or with
            // recomputation one per projection kind, shared by the layers.
            var sharedU: [Projection: UnsafeMutablePointer<Float>] = [:], sharedZ: [Projection: UnsafeMutablePointer<Float>] = [:]
            func perStep(_ p: Projection, _ n: Int, _ shared: inout [Projection: UnsafeMutablePointer<Float>]) -> UnsafeMutablePointer<Float> {
                guard recomputeActivations else { return pool.floats(n) }
                if let b = shared[p] { return b }
                let b = pool.floats(n)
                shared[p] = b
                return b
            }
            for ad in set.adapters {
                let w = base.layers[ad.layer].projection(ad.projection, c)
                var z: UnsafeMutablePointer<Float>? = nil, g: UnsafeMutablePointer<Float>? = nil
                var inv: UnsafeMutablePointer<Float>? = nil, wn: UnsafeMutablePointer<Float>? = nil
                if method == .dora {
                    z = perStep(ad.projection, T * ad.outFeatures, &sharedZ)
                    g = pool.floats(ad.outFeatures)
                    inv = pool.floats(ad.outFeatures)
                    let norms = pool.floats(ad.outFeatures)
                    for (j, s) in w.rowSquaredNorms().enumerated() { norms[j] = Float(s) }
                    wn = norms
                }
                index[ad.layer * 7 + ad.projection.index] = list.count
                list.append(AdapterState(adapter: ad, base: w, key: ad.layer * 8 + ad.projection.index,
                                         u: perStep(ad.projection, T * ad.rank, &sharedU), z: z, g: g,
                                         invNorm: inv, weightNorm2: wn))
            }
        }
        states = list
        stateIndex = index

        tokenIDs = pool.ints32(T)
        positions = pool.ints32(T)
        seqStart = pool.ints(T)
        seqLen = pool.ints(T)
        answerRows = pool.ints32(T)
        answerTargets = pool.ints32(T)
        rowLoss = pool.doubles(T)
        let half = c.headDim / 2
        ropeCos = pool.floats(T * half)
        ropeSin = pool.floats(T * half)
        if c.localRopeBase != nil && c.slidingWindow != nil {
            localCos = pool.floats(T * half)
            localSin = pool.floats(T * half)
        } else {
            localCos = nil
            localSin = nil
        }

        normed = pool.floats(T * dim)
        hidden = pool.floats(T * ffn)
        proj = pool.floats(T * dim)
        dx = pool.floats(T * dim)
        dh = pool.floats(T * dim)
        dproj = pool.floats(T * dim)
        dAttn = pool.floats(T * c.qDim)
        dqkv = pool.floats(T * qkvDim)
        dGateUp = pool.floats(T * 2 * ffn)
        dHidden = pool.floats(T * ffn)
        let rank = adapters?.config.rank ?? 0
        let maxIn = max(dim, c.qDim, ffn), maxOut = max(qkvDim, 2 * ffn, dim)
        let adapted = adapters != nil
        let dropping = (adapters?.config.dropout ?? 0) > 0
        xd = pool.floats(adapted && dropping ? T * maxIn : 0)
        vBuf = pool.floats(T * rank)
        dyFused = pool.floats(method == .dora ? T * maxOut : 0)
        wat = pool.floats(method == .dora ? maxOut * rank : 0)
        gram = pool.floats(rank * rank)
        attentionScratchPerWorker = 2 * queryBlock * T
        attentionScratch = pool.floats(Parallel.cores * attentionScratchPerWorker)
        headIn = pool.floats(T * dim)
        dHeadIn = pool.floats(T * dim)
        // Logits in chunks of ≤ 4 M floats (16 MB), at least one row. A quantized head is
        // dequantized once per chunk by the backward product, so it gets chunks four times larger.
        logitsChunk = max(1, min(T, (quantized ? 16 << 20 : 4 << 20) / c.vocabSize))
        logitsBuf = pool.floats(logitsChunk * c.vocabSize)
        partials = pool.floats(Parallel.cores * max(dim, 2 * c.headDim))
        columnSums = pool.doubles(method == .dora ? maxOut : 0)
        qkvParts = [(.q_proj, 0, c.qDim), (.k_proj, c.qDim, c.kvDim), (.v_proj, c.qDim + c.kvDim, c.kvDim)]
        oParts = [(.o_proj, 0, dim)]
        gateUpParts = [(.gate_proj, 0, ffn), (.up_proj, ffn, ffn)]
        downParts = [(.down_proj, 0, dim)]
    }

    deinit {
        if let g = gradArena { UnsafeMutableRawPointer(g.baseAddress!).deallocate() }
    }

    /// The gradient of a weight (full fine-tuning): same offset in the gradient arena.
    @inline(__always)
    func grad(_ p: UnsafePointer<Float>) -> UnsafeMutablePointer<Float>? {
        guard let g = gradArena, let w = weights else { return nil }
        return g.baseAddress! + (p - UnsafePointer(w.arena.baseAddress!))
    }

    @inline(__always)
    func state(_ layer: Int, _ p: Projection) -> AdapterState? {
        let i = stateIndex[layer * 7 + p.index]
        return i < 0 ? nil : states[i]
    }

    /// Memory this graph allocated: saved activations, scratch and (full) the gradient arena.
    /// The model's weights and any optimiser state come on top.
    public var allocatedBytes: Int { pool.bytes + (gradArena?.count ?? 0) * 4 + (transposeScratch?.bytes ?? 0) }

    public func zeroGradients() {
        if let g = gradArena { g.update(repeating: 0) }
        adapters?.grads.update(repeating: 0)
    }

    /// Adds d(lossScale · Σ answer-token CE)/dθ to the gradients; returns the unscaled CE sum and
    /// the number of answer tokens. `dropoutSeed` seeds the adapters' input-dropout masks.
    public func accumulate(_ batch: [TrainingSequence], lossScale: Float, dropoutSeed: UInt64)
        -> (lossSum: Double, answerTokens: Int) {
        Parallel.forwardLock.lock()
        defer { Parallel.forwardLock.unlock() }
        layOut(batch)
        let p = adapters?.config.dropout ?? 0
        dropout = p > 0 ? DropoutMask(seed: dropoutSeed, p: p) : nil
        forward()
        let loss = head(scale: lossScale, gradient: true)
        backward()
        return (loss, answers)
    }

    /// Forward only (no dropout): the CE sum over answer tokens and their number.
    public func loss(_ batch: [TrainingSequence]) -> (lossSum: Double, answerTokens: Int) {
        Parallel.forwardLock.lock()
        defer { Parallel.forwardLock.unlock() }
        layOut(batch)
        dropout = nil
        forward()
        return (head(scale: 0, gradient: false), answers)
    }

    /// Logits at every position of `sequence` ([tokens × vocab], row-major) through the adapted
    /// model without merging (no dropout). Allocates its result; a verification hook.
    public func logits(_ sequence: TrainingSequence) -> [Float] {
        Parallel.forwardLock.lock()
        defer { Parallel.forwardLock.unlock() }
        layOut([sequence])
        dropout = nil
        forward()
        let n = tokens, V = config.vocabSize, dim = config.dim
        for t in 0..<n { answerRows[t] = Int32(t) }
        Parallel.forRanges(n, costPerItem: dim, TrainingGatherNorm(
            x: finalX, rows: answerRows, weight: base.outputNorm, eps: config.normEps, out: headIn, dim: dim))
        var out = [Float](repeating: 0, count: n * V)
        out.withUnsafeMutableBufferPointer { o in
            var a = 0
            while a < n {
                let rows = min(logitsChunk, n - a)
                base.output.apply(headIn + a * dim, rows: rows, into: o.baseAddress! + a * V, scratch: productScratch)
                a += rows
            }
        }
        return out
    }

    /// Packs the batch: token ids, positions, sequence rows, answer rows and targets.
    private func layOut(_ batch: [TrainingSequence]) {
        var t = 0, s = 0, a = 0
        for seq in batch {
            let n = seq.tokens.count
            check(t + n <= maxTokens, "TrainingGraph: the batch has more than maxTokens = \(maxTokens) tokens")
            check(seq.promptTokens >= 0, "TrainingGraph: negative promptTokens")
            seqStart[s] = t
            seqLen[s] = n
            s += 1
            for (j, id) in seq.tokens.enumerated() {
                check(id >= 0 && Int(id) < config.vocabSize, "TrainingGraph: token id \(id) outside the vocabulary")
                tokenIDs[t + j] = id
                positions[t + j] = Int32(j)
            }
            if seq.firstAnswerPosition < n - 1 {
                for j in seq.firstAnswerPosition..<(n - 1) {
                    answerRows[a] = Int32(t + j)
                    answerTargets[a] = seq.tokens[j + 1]
                    a += 1
                }
            }
            t += n
        }
        tokens = t
        sequences = s
        answers = a
    }
}

/// The forward pass with saved activations (see `SavedLayer`).
extension TrainingGraph {
    func forward() {
        let c = config, T = tokens, dim = c.dim
        if T == 0 { return }
        if method == .dora { computeDoraNorms() }
        Parallel.forRanges(T, costPerItem: dim, EmbedTokens(
            table: .dense(weights.embedding), tokens: tokenIDs, scale: c.embeddingScale, x: saved[0].x, dim: dim))
        RoPE.fillTable(positions: positions, count: T, headDim: c.headDim, base: c.ropeBase, cos: ropeCos, sin: ropeSin)
        if let local = c.localRopeBase, let lc = localCos, let ls = localSin {
            RoPE.fillTable(positions: positions, count: T, headDim: c.headDim, base: local, cos: lc, sin: ls)
        }
        for l in 0..<c.layers {
            forwardLayer(l, out: l + 1 < c.layers ? saved[l + 1].x : finalX)
        }
    }

    func ropeTables(_ layer: Int) -> (UnsafePointer<Float>, UnsafePointer<Float>) {
        if !config.isGlobalLayer(layer), let lc = localCos, let ls = localSin { return (UnsafePointer(lc), UnsafePointer(ls)) }
        return (UnsafePointer(ropeCos), UnsafePointer(ropeSin))
    }

    func attentionLayout(_ layer: Int) -> AttentionLayout {
        let c = config
        return AttentionLayout(heads: c.heads, kvHeads: c.kvHeads, headDim: c.headDim, qDim: c.qDim, kvDim: c.kvDim,
                               qkvDim: c.qkvDim, scale: c.attentionScale, window: c.window(forLayer: layer),
                               queryBlock: queryBlock, seqStart: seqStart, seqLen: seqLen, sequences: sequences,
                               scratch: attentionScratch, scratchPerWorker: attentionScratchPerWorker)
    }

    private func forwardLayer(_ l: Int, out: UnsafeMutablePointer<Float>) {
        let c = config, T = tokens, dim = c.dim, ffn = c.ffnDim, qkvDim = c.qkvDim, qDim = c.qDim
        let w = weights.layers[l], s = saved[l]

        // Attention block.
        RMSNorm.rows(s.x, xStride: dim, weight: w.attnNorm, eps: c.normEps, into: normed, yStride: dim, rows: T, n: dim)
        let raw = s.raw ?? s.qkv
        Matmul.linear(normed, rows: T, inFeatures: dim, weight: w.qkv, outFeatures: qkvDim, into: raw)
        adapterForward(l, .q_proj, x: normed, ldx: dim, y: raw, ldy: qkvDim)
        adapterForward(l, .k_proj, x: normed, ldx: dim, y: raw + qDim, ldy: qkvDim)
        adapterForward(l, .v_proj, x: normed, ldx: dim, y: raw + qDim + c.kvDim, ldy: qkvDim)
        let (cos, sin) = ropeTables(l)
        Parallel.forRanges(T, costPerItem: qkvDim * 4, TrainingPrepareQKV(
            config: c, raw: raw, out: s.qkv, bias: w.qkvBias.map { UnsafePointer($0) },
            qNorm: w.qNorm.map { UnsafePointer($0) }, kNorm: w.kNorm.map { UnsafePointer($0) }, cos: cos, sin: sin))
        _ = Parallel.blasSingleThreaded
        Parallel.forEachWorker(TrainingAttentionForward(layout: attentionLayout(l), qkv: s.qkv, out: s.attn))
        let pa = s.projAttn ?? proj
        Matmul.linear(s.attn, rows: T, inFeatures: qDim, weight: w.attnOutput, outFeatures: dim, into: pa)
        adapterForward(l, .o_proj, x: s.attn, ldx: qDim, y: pa, ldy: dim)
        Parallel.forRanges(T, costPerItem: dim * 2, TrainingResidual(
            x: s.x, y: pa, postNorm: w.postAttnNorm.map { UnsafePointer($0) }, eps: c.normEps, out: s.mid, dim: dim))

        // MLP block.
        RMSNorm.rows(s.mid, xStride: dim, weight: w.ffnNorm, eps: c.normEps, into: normed, yStride: dim, rows: T, n: dim)
        Matmul.linear(normed, rows: T, inFeatures: dim, weight: w.gateUp, outFeatures: 2 * ffn, into: s.gateUp)
        adapterForward(l, .gate_proj, x: normed, ldx: dim, y: s.gateUp, ldy: 2 * ffn)
        adapterForward(l, .up_proj, x: normed, ldx: dim, y: s.gateUp + ffn, ldy: 2 * ffn)
        Parallel.forRanges(T, costPerItem: ffn * 8, GatedActivation(
            kind: c.activation, gateUp: s.gateUp, hidden: hidden, ffn: ffn))
        let pf = s.projFfn ?? proj
        Matmul.linear(hidden, rows: T, inFeatures: ffn, weight: w.down, outFeatures: dim, into: pf)
        adapterForward(l, .down_proj, x: hidden, ldx: ffn, y: pf, ldy: dim)
        Parallel.forRanges(T, costPerItem: dim * 2, TrainingResidual(
            x: s.mid, y: pf, postNorm: w.postFfnNorm.map { UnsafePointer($0) }, eps: c.normEps, out: out, dim: dim))
    }
}

/// The forward pass with saved activations (see `SavedLayer`).
extension TrainingGraph {
    func forward() {
        let c = config, T = tokens, dim = c.dim
        if T == 0 { return }
        if method == .dora { computeDoraNorms() }
        Parallel.forRanges(T, costPerItem: dim, EmbedTokens(
            table: base.embedding, tokens: tokenIDs, scale: c.embeddingScale, x: saved[0].x, dim: dim))
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

    /// Layer l from saved[l].x: its activations into saved[l], its output into `out`. The
    /// backward pass calls it again when activations are recomputed.
    func forwardLayer(_ l: Int, out: UnsafeMutablePointer<Float>) {
        let c = config, T = tokens, dim = c.dim, ffn = c.ffnDim, qkvDim = c.qkvDim, qDim = c.qDim
        let w = base.layers[l], s = saved[l], scratch = productScratch

        // Attention block.
        RMSNorm.rows(s.x, xStride: dim, weight: w.attnNorm, eps: c.normEps, into: normed, yStride: dim, rows: T, n: dim)
        let raw = s.raw ?? s.qkv
        w.qkv.apply(normed, rows: T, into: raw, scratch: scratch)
        adapterForward(l, .q_proj, x: normed, ldx: dim, y: raw, ldy: qkvDim)
        adapterForward(l, .k_proj, x: normed, ldx: dim, y: raw + qDim, ldy: qkvDim)
        adapterForward(l, .v_proj, x: normed, ldx: dim, y: raw + qDim + c.kvDim, ldy: qkvDim)
        let (cos, sin) = ropeTables(l)
        Parallel.forRanges(T, costPerItem: qkvDim * 4, TrainingPrepareQKV(
            config: c, raw: raw, out: s.qkv, bias: w.qkvBias, qNorm: w.qNorm, kNorm: w.kNorm, cos: cos, sin: sin))
        _ = Parallel.blasSingleThreaded
        Parallel.forEachWorker(TrainingAttentionForward(layout: attentionLayout(l), qkv: s.qkv, out: s.attn))
        let pa = s.projAttn ?? proj
        w.attnOutput.apply(s.attn, rows: T, into: pa, scratch: scratch)
        adapterForward(l, .o_proj, x: s.attn, ldx: qDim, y: pa, ldy: dim)
        Parallel.forRanges(T, costPerItem: dim * 2, TrainingResidual(
            x: s.x, y: pa, postNorm: w.postAttnNorm, eps: c.normEps, out: s.mid, dim: dim))

        // MLP block.
        RMSNorm.rows(s.mid, xStride: dim, weight: w.ffnNorm, eps: c.normEps, into: normed, yStride: dim, rows: T, n: dim)
        w.gateUp.apply(normed, rows: T, into: s.gateUp, scratch: scratch)
        adapterForward(l, .gate_proj, x: normed, ldx: dim, y: s.gateUp, ldy: 2 * ffn)
        adapterForward(l, .up_proj, x: normed, ldx: dim, y: s.gateUp + ffn, ldy: 2 * ffn)
        Parallel.forRanges(T, costPerItem: ffn * 8, GatedActivation(
            kind: c.activation, gateUp: s.gateUp, hidden: hidden, ffn: ffn))
        let pf = s.projFfn ?? proj
        w.down.apply(hidden, rows: T, into: pf, scratch: scratch)
        adapterForward(l, .down_proj, x: hidden, ldx: ffn, y: pf, ldy: dim)
        Parallel.forRanges(T, costPerItem: dim * 2, TrainingResidual(
            x: s.mid, y: pf, postNorm: w.postFfnNorm, eps: c.normEps, out: out, dim: dim))
    }
}

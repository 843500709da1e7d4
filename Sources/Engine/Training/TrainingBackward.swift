/// The backward pass, layer by layer from the top: `dx` holds dL/d(residual stream) on entry to
/// each layer and leaves it as dL/d(layer input).
extension TrainingGraph {
    func backward() {
        let c = config, T = tokens, dim = c.dim
        if T == 0 { return }
        for l in (0..<c.layers).reversed() {
            // dproj is free until backwardLayer writes it: the recomputed output goes there
            // (the next layer's input, already used by its backward pass, stays as it is).
            if recomputesActivations { forwardLayer(l, out: dproj) }
            backwardLayer(l)
        }
        if method == .full && !freezeEmbeddings, let e = weights?.embedding, let g = grad(e) {
            // Tokens repeat, so the scatter-add runs serially (T·dim adds, negligible).
            let scale = c.embeddingScale
            for t in 0..<T {
                let row = g + Int(tokenIDs[t]) * dim, d = dx + t * dim
                for i in 0..<dim { row[i] += scale * d[i] }
            }
        }
    }

    private func backwardLayer(_ l: Int) {
        let c = config, T = tokens, dim = c.dim, ffn = c.ffnDim, qkvDim = c.qkvDim, qDim = c.qDim
        let w = base.layers[l], s = saved[l]
        /// Full fine-tuning's matrices, whose gradients sit at the same offsets in the gradient arena.
        let full = method == .full ? weights?.layers[l] : nil

        // MLP block. Recompute its input norm and the activation instead of storing them.
        RMSNorm.rows(s.mid, xStride: dim, weight: w.ffnNorm, eps: c.normEps, into: normed, yStride: dim, rows: T, n: dim)
        Parallel.forRanges(T, costPerItem: ffn * 8, GatedActivation(
            kind: c.activation, gateUp: s.gateUp, hidden: hidden, ffn: ffn))
        var dyDown = UnsafePointer(dx)
        if let post = w.postFfnNorm, let pf = s.projFfn {
            normBackward(x: pf, weight: post, dy: dx, dx: dproj, accumulate: false, rows: T, map: nil,
                         weightGrad: grad(post))
            dyDown = UnsafePointer(dproj)
        }
        fusedBackward(l, parts: downParts, x: hidden, ldx: ffn, inFeatures: ffn, weight: w.down, fullWeight: full?.down,
                      outFeatures: dim, dy: dyDown, ldy: dim, dxOut: dHidden)
        Parallel.forRanges(T, costPerItem: ffn * 16, TrainingGatedBackward(
            kind: c.activation, gateUp: s.gateUp, dHidden: dHidden, dGateUp: dGateUp, ffn: ffn))
        fusedBackward(l, parts: gateUpParts, x: normed, ldx: dim, inFeatures: dim,
                      weight: w.gateUp, fullWeight: full?.gateUp, outFeatures: 2 * ffn, dy: dGateUp, ldy: 2 * ffn, dxOut: dh)
        normBackward(x: s.mid, weight: w.ffnNorm, dy: dh, dx: dx, accumulate: true, rows: T, map: nil,
                     weightGrad: grad(w.ffnNorm))

        // Attention block.
        var dyO = UnsafePointer(dx)
        if let post = w.postAttnNorm, let pa = s.projAttn {
            normBackward(x: pa, weight: post, dy: dx, dx: dproj, accumulate: false, rows: T, map: nil,
                         weightGrad: grad(post))
            dyO = UnsafePointer(dproj)
        }
        fusedBackward(l, parts: oParts, x: s.attn, ldx: qDim, inFeatures: qDim, weight: w.attnOutput,
                      fullWeight: full?.attnOutput, outFeatures: dim, dy: dyO, ldy: dim, dxOut: dAttn)
        dqkv.update(repeating: 0, count: T * qkvDim)
        Parallel.forEachWorker(TrainingAttentionBackward(layout: attentionLayout(l), qkv: s.qkv, dOut: dAttn, dqkv: dqkv))
        let (cos, sin) = ropeTables(l)
        let normGrads = method == .full && c.qkNorm
        Parallel.forEachWorker(TrainingPrepareQKVBackward(
            config: c, tokens: T, raw: s.raw.map { UnsafePointer($0) }, d: dqkv,
            qNorm: w.qNorm, kNorm: w.kNorm, cos: cos, sin: sin, partials: normGrads ? partials : nil))
        if normGrads, let qn = w.qNorm, let kn = w.kNorm, let gq = grad(qn), let gk = grad(kn) {
            let hd = c.headDim
            for wk in 0..<Parallel.cores {
                VectorOps.add(partials + wk * 2 * hd, into: gq, hd)
                VectorOps.add(partials + wk * 2 * hd + hd, into: gk, hd)
            }
        }
        if method == .full, let b = w.qkvBias, let gb = grad(b) {
            Parallel.forRanges(qkvDim, costPerItem: T, TrainingColumnSums(d: dqkv, ld: qkvDim, tokens: T, grad: gb))
        }
        RMSNorm.rows(s.x, xStride: dim, weight: w.attnNorm, eps: c.normEps, into: normed, yStride: dim, rows: T, n: dim)
        fusedBackward(l, parts: qkvParts,
                      x: normed, ldx: dim, inFeatures: dim, weight: w.qkv, fullWeight: full?.qkv, outFeatures: qkvDim,
                      dy: dqkv, ldy: qkvDim, dxOut: dh)
        normBackward(x: s.x, weight: w.attnNorm, dy: dh, dx: dx, accumulate: true, rows: T, map: nil,
                     weightGrad: grad(w.attnNorm))
    }

    /// Backward of a stacked projection y = x·Wᵀ (+ adapters on its parts): the weight gradient
    /// (full: `fullWeight` is W in the fp32 arena), dX = dY·W into `dxOut` (overwritten), and each
    /// adapter's gradients and input term. `parts`: (projection, first output column, width).
    func fusedBackward(_ l: Int, parts: [(Projection, Int, Int)], x: UnsafePointer<Float>, ldx: Int,
                       inFeatures: Int, weight: LinearWeight, fullWeight: UnsafeMutablePointer<Float>?,
                       outFeatures: Int, dy: UnsafePointer<Float>, ldy: Int, dxOut: UnsafeMutablePointer<Float>) {
        let T = tokens
        if let fullWeight, let gw = grad(fullWeight) {
            Matmul.gemm(transA: true, m: outFeatures, n: inFeatures, k: T, dy, lda: ldy, x, ldb: ldx,
                        beta: 1, into: gw, ldc: inFeatures)
        }
        var dyBase = dy, ldb = ldy
        if method == .dora {
            // DoRA scales its rows of W by g = m/‖W + sBA‖ (a constant in backward): dY ⊙ g is what
            // B and A see and what the frozen base weight sees.
            for (p, off, width) in parts {
                if let st = state(l, p), let g = st.g {
                    Parallel.forRanges(T, costPerItem: width, TrainingDoraRows(
                        op: .scaleInto, y: UnsafeMutablePointer(mutating: dy + off), ldy: ldy, z: dyFused + off,
                        ldz: outFeatures, g: g, n: width))
                } else {
                    for t in 0..<T { (dyFused + t * outFeatures + off).update(from: dy + t * ldy + off, count: width) }
                }
            }
            dyBase = UnsafePointer(dyFused); ldb = outFeatures
        }
        weight.applyTransposed(dyBase, rows: T, dyStride: ldb, into: dxOut, dxStride: inFeatures, accumulate: false,
                               scratch: transposeScratch)
        for (p, off, _) in parts {
            guard let st = state(l, p) else { continue }
            if method == .dora {
                adapterBackward(st, x: x, ldx: ldx, dyRaw: dy + off, ldRaw: ldy, dyg: dyFused + off,
                                ldg: outFeatures, dxOut: dxOut, ldxOut: inFeatures)
            } else {
                adapterBackward(st, x: x, ldx: ldx, dyRaw: dy + off, ldRaw: ldy, dyg: dy + off,
                                ldg: ldy, dxOut: dxOut, ldxOut: inFeatures)
            }
        }
    }
}

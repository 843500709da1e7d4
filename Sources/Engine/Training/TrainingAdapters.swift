/// LoRA and DoRA on one projection, forward and backward.
///
/// LoRA: y = W₀x + s·B·A·drop(x).
/// DoRA (norm detached, as PEFT): y = g⊙(W₀x + s·B·A·drop(x)) with g = m/‖W₀ + sBA‖_row — dropout on
/// the adapter's input only, like LoRA. Without dropout (and at inference) this is exactly PEFT's
/// `DoraLinearLayer`. With dropout PEFT instead adds (g − 1)⊙W₀·drop(x), which needs a second
/// product with W₀ forward and backward (≈ 1.75× LoRA's step on SmolLM2); the adapter-input form
/// keeps DoRA's step near LoRA's and trains the same parameters. Biases are added after, unscaled.
extension TrainingGraph {
    var adapterScale: Float { adapters?.config.scale ?? 0 }

    /// y (the projection's [T, out] slice, bias not yet added) gets the adapter's contribution.
    func adapterForward(_ l: Int, _ p: Projection, x: UnsafePointer<Float>, ldx: Int,
                        y: UnsafeMutablePointer<Float>, ldy: Int) {
        guard let st = state(l, p) else { return }
        let ad = st.adapter, T = tokens, r = ad.rank, inF = ad.inFeatures, out = ad.outFeatures, s = adapterScale
        var xIn = x, ldIn = ldx
        if let mask = dropout {
            Parallel.forRanges(T, costPerItem: inF * 2, TrainingDropoutRows(
                mask: mask, key: st.key, x: x, ldx: ldx, y: xd, ldy: inF, n: inF))
            xIn = UnsafePointer(xd); ldIn = inF
        }
        Matmul.gemm(transB: true, m: T, n: r, k: inF, xIn, lda: ldIn, ad.a.baseAddress!, ldb: inF,
                    beta: 0, into: st.u, ldc: r)
        guard let z = st.z, let g = st.g else {
            Matmul.gemm(transB: true, m: T, n: out, k: r, alpha: s, st.u, lda: r, ad.b.baseAddress!, ldb: r,
                        beta: 1, into: y, ldc: ldy)
            return
        }
        // z = W₀x + s·B·A·drop(x) (kept for m's gradient); y = g⊙z.
        Parallel.forRanges(T, costPerItem: out, TrainingDoraRows(
            op: .copyOut, y: y, ldy: ldy, z: z, ldz: out, g: g, n: out))
        Matmul.gemm(transB: true, m: T, n: out, k: r, alpha: s, st.u, lda: r, ad.b.baseAddress!, ldb: r,
                    beta: 1, into: z, ldc: out)
        Parallel.forRanges(T, costPerItem: out, TrainingDoraRows(
            op: .scale, y: y, ldy: ldy, z: z, ldz: out, g: g, n: out))
    }

    /// Adapter gradients and its term of dX. `dyRaw`: dL/dy; `dyg`: dL/dy ⊙ g for DoRA (= dyRaw for LoRA).
    func adapterBackward(_ st: AdapterState, x: UnsafePointer<Float>, ldx: Int,
                         dyRaw: UnsafePointer<Float>, ldRaw: Int, dyg: UnsafePointer<Float>, ldg: Int,
                         dxOut: UnsafeMutablePointer<Float>, ldxOut: Int) {
        let ad = st.adapter, T = tokens, r = ad.rank, inF = ad.inFeatures, out = ad.outFeatures, s = adapterScale
        // V = dyg·B; dB += s·dygᵀ·U; dA += s·Vᵀ·drop(x); dX += drop′(s·V·A).
        Matmul.gemm(m: T, n: r, k: out, dyg, lda: ldg, ad.b.baseAddress!, ldb: r, beta: 0, into: vBuf, ldc: r)
        Matmul.gemm(transA: true, m: out, n: r, k: T, alpha: s, dyg, lda: ldg, st.u, ldb: r,
                    beta: 1, into: ad.gradB.baseAddress!, ldc: r)
        var xIn = x, ldIn = ldx
        if let mask = dropout {
            Parallel.forRanges(T, costPerItem: inF * 2, TrainingDropoutRows(
                mask: mask, key: st.key, x: x, ldx: ldx, y: xd, ldy: inF, n: inF))
            xIn = UnsafePointer(xd); ldIn = inF
        }
        Matmul.gemm(transA: true, m: r, n: inF, k: T, alpha: s, vBuf, lda: r, xIn, ldb: ldIn,
                    beta: 1, into: ad.gradA.baseAddress!, ldc: inF)
        if let mask = dropout {
            // xd is free again: the dropped input's gradient goes there, then through the mask.
            Matmul.gemm(m: T, n: inF, k: r, alpha: s, vBuf, lda: r, ad.a.baseAddress!, ldb: inF,
                        beta: 0, into: xd, ldc: inF)
            Parallel.forRanges(T, costPerItem: inF * 2, TrainingDropoutAccumulate(
                mask: mask, key: st.key, x: xd, ldx: inF, y: dxOut, ldy: ldxOut, n: inF))
        } else {
            Matmul.gemm(m: T, n: inF, k: r, alpha: s, vBuf, lda: r, ad.a.baseAddress!, ldb: inF,
                        beta: 1, into: dxOut, ldc: ldxOut)
        }
        if let z = st.z, let inv = st.invNorm, let gm = ad.gradMagnitude {
            Parallel.forRanges(out, costPerItem: T, TrainingDoraMagnitudeGrad(
                dy: dyRaw, ldy: ldRaw, z: z, tokens: T, n: out, invNorm: inv, grad: gm.baseAddress!, sums: columnSums))
        }
    }

    /// g = m/‖W₀ + sBA‖ and 1/‖·‖ per output row of every DoRA adapter, for the current A, B, m.
    func computeDoraNorms() {
        let s = adapterScale
        for st in states {
            guard let g = st.g, let inv = st.invNorm, let wn = st.weightNorm2, let m = st.adapter.magnitude else { continue }
            let ad = st.adapter, r = ad.rank
            if freezeDoraNorms {
                for j in 0..<ad.outFeatures { g[j] = m[j] * inv[j] }
                continue
            }
            // wat = A·W₀ᵀ [r, out], through the base weight as it is stored.
            st.base.apply(ad.a.baseAddress!, rows: r, into: wat, scratch: productScratch)
            Matmul.gemmCall(false, true, r, r, ad.inFeatures, 1, ad.a.baseAddress!, ad.inFeatures,
                            ad.a.baseAddress!, ad.inFeatures, 0, gram, r)
            Parallel.forRanges(ad.outFeatures, costPerItem: r * r, TrainingDoraNorms(
                weightNorm2: wn, wat: wat, out: ad.outFeatures, gram: gram, b: ad.b.baseAddress!, m: m.baseAddress!,
                rank: r, scale: s, invNorm: inv, g: g))
        }
    }
}

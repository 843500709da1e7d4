import Foundation

/// Per-token loops of the training forward and backward passes, as parallel regions (structs, so
/// a step allocates nothing; see `Parallel`).

/// Per token: add the QKV bias (in `raw`, which then holds the post-bias projection), copy to `out`
/// when distinct, RMSNorm each Q/K head (gemma3), rotate Q and K.
struct TrainingPrepareQKV: RangeRegion {
    let config: ModelConfig
    let raw: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>
    let bias: UnsafePointer<Float>?, qNorm: UnsafePointer<Float>?, kNorm: UnsafePointer<Float>?
    let cos: UnsafePointer<Float>, sin: UnsafePointer<Float>

    func run(_ range: Range<Int>) {
        let c = config, hd = c.headDim, half = hd / 2, ld = c.qkvDim
        for t in range {
            let v = raw + t * ld, o = out + t * ld
            if let bias { VectorOps.add(bias, into: v, ld) }
            if o != v { o.update(from: v, count: ld) }
            for h in 0..<(c.heads + c.kvHeads) {
                let x = o + h * hd
                if let qNorm, let kNorm {
                    RMSNorm.apply(x, weight: h < c.heads ? qNorm : kNorm, eps: c.normEps, into: x, hd)
                }
                RoPE.apply(x, headDim: hd, layout: c.ropeLayout, cos: cos + t * half, sin: sin + t * half)
            }
        }
    }
}

/// Backward of `TrainingPrepareQKV` (bias excepted): in place on dqkv, undo RoPE, then the Q/K-head
/// RMSNorm (its weight gradients into per-worker partials: [q | k] of headDim each).
struct TrainingPrepareQKVBackward: ParallelRegion {
    let config: ModelConfig, tokens: Int
    let raw: UnsafePointer<Float>?, d: UnsafeMutablePointer<Float>
    let qNorm: UnsafePointer<Float>?, kNorm: UnsafePointer<Float>?
    let cos: UnsafePointer<Float>, sin: UnsafePointer<Float>
    let partials: UnsafeMutablePointer<Float>?

    func run(worker: Int, workers: Int) {
        let c = config, hd = c.headDim, half = hd / 2, ld = c.qkvDim
        let dw = partials.map { $0 + worker * 2 * hd }
        dw?.update(repeating: 0, count: 2 * hd)
        for t in Parallel.chunk(tokens, worker, workers) {
            for h in 0..<(c.heads + c.kvHeads) {
                let x = d + t * ld + h * hd
                RoPE.applyInverse(x, headDim: hd, layout: c.ropeLayout, cos: cos + t * half, sin: sin + t * half)
                if let raw, let qNorm, let kNorm {
                    let q = h < c.heads
                    RMSNorm.backward(raw + t * ld + h * hd, weight: q ? qNorm : kNorm, eps: c.normEps,
                                     dy: x, dx: x, accumulate: false, dw: dw.map { q ? $0 : $0 + hd }, hd)
                }
            }
        }
    }
}

/// out[t] = x[t] + (post-norm? RMSNorm(y[t]) : y[t]); y is kept (the norm's backward needs it).
struct TrainingResidual: RangeRegion {
    let x: UnsafePointer<Float>, y: UnsafePointer<Float>, postNorm: UnsafePointer<Float>?, eps: Float
    let out: UnsafeMutablePointer<Float>, dim: Int

    func run(_ range: Range<Int>) {
        for t in range {
            let o = out + t * dim
            if let postNorm {
                RMSNorm.apply(y + t * dim, weight: postNorm, eps: eps, into: o, dim)
            } else {
                o.update(from: y + t * dim, count: dim)
            }
            VectorOps.add(x + t * dim, into: o, dim)
        }
    }
}

/// RMSNorm backward over rows; weight gradients into per-worker partials of n floats. Row i reads
/// dy row i and x/dx row map[i] (or i): the LM head gathers its answer rows.
struct TrainingNormBackward: ParallelRegion {
    let x: UnsafePointer<Float>, weight: UnsafePointer<Float>, eps: Float
    let dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, accumulate: Bool
    let rows: Int, n: Int, map: UnsafePointer<Int32>?
    let partials: UnsafeMutablePointer<Float>?

    func run(worker: Int, workers: Int) {
        let dw = partials.map { $0 + worker * n }
        dw?.update(repeating: 0, count: n)
        for i in Parallel.chunk(rows, worker, workers) {
            let r = map.map { Int($0[i]) } ?? i
            RMSNorm.backward(x + r * n, weight: weight, eps: eps, dy: dy + i * n, dx: dx + r * n,
                             accumulate: accumulate, dw: dw, n)
        }
    }
}

/// Gated-MLP activation backward: [dGate | dUp] rows from dHidden and the saved [gate | up].
struct TrainingGatedBackward: RangeRegion {
    let kind: MLPActivation, gateUp: UnsafePointer<Float>, dHidden: UnsafePointer<Float>
    let dGateUp: UnsafeMutablePointer<Float>, ffn: Int

    func run(_ range: Range<Int>) {
        for t in range {
            let gu = gateUp + t * 2 * ffn, d = dGateUp + t * 2 * ffn
            Activation.gatedBackward(kind, gate: gu, up: gu + ffn, dh: dHidden + t * ffn, dGate: d, dUp: d + ffn, ffn)
        }
    }
}

/// grad[j] += Σ_t d[t, j] (bias gradients), split over columns.
struct TrainingColumnSums: RangeRegion {
    let d: UnsafePointer<Float>, ld: Int, tokens: Int, grad: UnsafeMutablePointer<Float>

    func run(_ range: Range<Int>) {
        for t in 0..<tokens {
            let row = d + t * ld
            for j in range { grad[j] += row[j] }
        }
    }
}

/// y rows = x rows with the dropout mask of `key` applied.
struct TrainingDropoutRows: RangeRegion {
    let mask: DropoutMask, key: Int
    let x: UnsafePointer<Float>, ldx: Int, y: UnsafeMutablePointer<Float>, ldy: Int, n: Int

    func run(_ range: Range<Int>) {
        for t in range { mask.apply(key: key, token: t, x + t * ldx, into: y + t * ldy, n) }
    }
}

/// y rows += x rows with the dropout mask of `key` applied (backward through the dropout).
struct TrainingDropoutAccumulate: RangeRegion {
    let mask: DropoutMask, key: Int
    let x: UnsafePointer<Float>, ldx: Int, y: UnsafeMutablePointer<Float>, ldy: Int, n: Int

    func run(_ range: Range<Int>) {
        for t in range { mask.accumulate(key: key, token: t, x + t * ldx, into: y + t * ldy, n) }
    }
}

/// Row-wise element operations of DoRA over an [tokens, n] slice (y has stride ldy, the others n).
struct TrainingDoraRows: RangeRegion {
    enum Op {
        /// z = y (copy out the base product)
        case copyOut
        /// y = g ⊙ z
        case scale
        /// z = g ⊙ y (y of stride ldy, z of stride ldz)
        case scaleInto
    }
    let op: Op
    let y: UnsafeMutablePointer<Float>, ldy: Int
    let z: UnsafeMutablePointer<Float>, ldz: Int
    let g: UnsafePointer<Float>, n: Int

    func run(_ range: Range<Int>) {
        for t in range {
            let yr = y + t * ldy, zr = z + t * ldz
            switch op {
            case .copyOut: zr.update(from: yr, count: n)
            case .scale: for j in 0..<n { yr[j] = g[j] * zr[j] }
            case .scaleInto: for j in 0..<n { zr[j] = g[j] * yr[j] }
            }
        }
    }
}

/// DoRA magnitude gradient: gm[j] += Σ_t dy[t, j]·z[t, j] / ‖W + sBA‖_j, split over columns and
/// summed row by row (contiguous reads) into Double column sums.
struct TrainingDoraMagnitudeGrad: RangeRegion {
    let dy: UnsafePointer<Float>, ldy: Int, z: UnsafePointer<Float>, tokens: Int, n: Int
    let invNorm: UnsafePointer<Float>, grad: UnsafeMutablePointer<Float>, sums: UnsafeMutablePointer<Double>

    func run(_ range: Range<Int>) {
        for j in range { sums[j] = 0 }
        for t in 0..<tokens {
            let d = dy + t * ldy, zr = z + t * n
            for j in range { sums[j] += Double(d[j] * zr[j]) }
        }
        for j in range { grad[j] += Float(sums[j]) * invNorm[j] }
    }
}

/// DoRA's per-row norm ‖W + sBA‖_j without forming BA:
/// ‖W_j‖² + 2s·B_j·(W Aᵀ)_j + s²·B_j (A Aᵀ) B_jᵀ; then g = m / norm. `wat` is A·Wᵀ [rank, out].
struct TrainingDoraNorms: RangeRegion {
    let weightNorm2: UnsafePointer<Float>, wat: UnsafePointer<Float>, out: Int, gram: UnsafePointer<Float>
    let b: UnsafePointer<Float>, m: UnsafePointer<Float>, rank: Int, scale: Float
    let invNorm: UnsafeMutablePointer<Float>, g: UnsafeMutablePointer<Float>

    func run(_ range: Range<Int>) {
        let r = rank, s = Double(scale)
        for j in range {
            let bj = b + j * r
            var cross: Double = 0, quad: Double = 0
            for k in 0..<r {
                cross += Double(bj[k]) * Double(wat[k * out + j])
                var row: Double = 0
                for l in 0..<r { row += Double(gram[k * r + l]) * Double(bj[l]) }
                quad += Double(bj[k]) * row
            }
            let norm = (Double(weightNorm2[j]) + 2 * s * cross + s * s * quad).squareRoot()
            invNorm[j] = Float(1 / norm)
            g[j] = Float(Double(m[j]) / norm)
        }
    }
}

/// Cross-entropy rows of a logits chunk: loss[r] = logsumexp(z) − z[target] (in Double), and when
/// `gradient`, z becomes scale·(softmax(z) − onehot(target)) in place.
struct TrainingCrossEntropy: RangeRegion {
    let logits: UnsafeMutablePointer<Float>, vocab: Int
    let targets: UnsafePointer<Int32>, losses: UnsafeMutablePointer<Double>
    let scale: Float, gradient: Bool

    func run(_ range: Range<Int>) {
        for r in range {
            let z = logits + r * vocab
            let target = Int(targets[r])
            let m = VectorOps.max(z, vocab)
            let zt = z[target]
            var acc = F16()
            var i = 0
            while i + 16 <= vocab {
                let e = Activation.exp(load16(z + i) - m)
                if gradient { store16(e, z + i) }
                acc += e
                i += 16
            }
            var sum = Double(hsum(acc))
            while i < vocab {
                let e = Activation.exp(z[i] - m)
                if gradient { z[i] = e }
                sum += Double(e)
                i += 1
            }
            losses[r] = Double(m) + Foundation.log(sum) - Double(zt)
            if gradient {
                VectorOps.scale(z, by: Float(Double(scale) / sum), into: z, vocab)
                z[target] -= scale
            }
        }
    }
}

/// hF[a] = RMSNorm(x[rows[a]]) for the answer rows.
struct TrainingGatherNorm: RangeRegion {
    let x: UnsafePointer<Float>, rows: UnsafePointer<Int32>, weight: UnsafePointer<Float>, eps: Float
    let out: UnsafeMutablePointer<Float>, dim: Int

    func run(_ range: Range<Int>) {
        for a in range {
            RMSNorm.apply(x + Int(rows[a]) * dim, weight: weight, eps: eps, into: out + a * dim, dim)
        }
    }
}

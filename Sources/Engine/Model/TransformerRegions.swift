import QuantKernels

/// The per-token loops of the forward pass, as parallel regions over ranges of tokens (structs
/// rather than closures so a decode step allocates nothing; see `Parallel`).

/// x[t] = embedding[token t] · scale.
struct EmbedTokens: RangeRegion {
    let table: InferenceWeights.Embedding, tokens: UnsafePointer<Int32>, scale: Float
    let x: UnsafeMutablePointer<Float>, dim: Int

    func run(_ range: Range<Int>) {
        switch table {
        case .dense(let rows):
            for t in range {
                VectorOps.scale(rows + Int(tokens[t]) * dim, by: scale, into: x + t * dim, dim)
            }
        case .quantized(let type, let data, let rowBytes):
            for t in range {
                let out = x + t * dim
                ftq_dequantize_row(type, data + Int(tokens[t]) * rowBytes, Int64(dim), out)
                if scale != 1 { VectorOps.scale(out, by: scale, into: out, dim) }
            }
        }
    }
}

/// Per token: add the QKV bias, RMSNorm each Q/K head (gemma3), rotate Q and K, and store K and V
/// at the token's position in its row of the cache.
struct PrepareQKV: RangeRegion {
    let config: ModelConfig, layer: Int, weights: InferenceWeights.Layer
    let cache: KVCache, scratch: ForwardScratch
    let cos: UnsafePointer<Float>, sin: UnsafePointer<Float>

    func run(_ range: Range<Int>) {
        let c = config, s = scratch, w = weights
        let hd = c.headDim, half = hd / 2, qkvDim = c.qkvDim, qDim = c.qDim
        for t in range {
            let v = s.qkv + t * qkvDim
            if let b = w.qkvBias { VectorOps.add(b, into: v, qkvDim) }
            let cos = cos + t * half, sin = sin + t * half
            for h in 0..<(c.heads + c.kvHeads) {
                let x = v + h * hd
                if let qn = w.qNorm, let kn = w.kNorm {
                    RMSNorm.apply(x, weight: h < c.heads ? qn : kn, eps: c.normEps, into: x, hd)
                }
                RoPE.apply(x, headDim: hd, layout: c.ropeLayout, cos: cos, sin: sin)
            }
            let row = Int(s.tokenRows[t]), pos = Int(s.positions[t])
            for h in 0..<c.kvHeads {
                cache.keys(layer: layer, row: row, kvHead: h, from: pos).update(from: v + qDim + h * hd, count: hd)
                cache.values(layer: layer, row: row, kvHead: h, from: pos)
                    .update(from: v + qDim + c.kvDim + h * hd, count: hd)
            }
        }
    }
}

/// hidden[t] = act(gate[t]) ⊙ up[t], with gate and up side by side in gateUp[t].
struct GatedActivation: RangeRegion {
    let kind: MLPActivation
    let gateUp: UnsafePointer<Float>, hidden: UnsafeMutablePointer<Float>, ffn: Int

    func run(_ range: Range<Int>) {
        for t in range {
            let gu = gateUp + t * 2 * ffn
            Activation.gated(kind, gate: gu, up: gu + ffn, into: hidden + t * ffn, ffn)
        }
    }
}

/// x[t] += RMSNorm(y[t]) (y overwritten) — gemma3's norms after attention and after the MLP.
struct AddNormalized: RangeRegion {
    let y: UnsafeMutablePointer<Float>, weight: UnsafePointer<Float>, eps: Float
    let x: UnsafeMutablePointer<Float>, dim: Int

    func run(_ range: Range<Int>) {
        for t in range {
            RMSNorm.apply(y + t * dim, weight: weight, eps: eps, into: y + t * dim, dim)
            VectorOps.add(y + t * dim, into: x + t * dim, dim)
        }
    }
}

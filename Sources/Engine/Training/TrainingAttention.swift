/// Causal (optionally sliding-window) grouped-query attention over packed sequences, forward and
/// backward, for training. Scores are recomputed in the backward pass instead of stored: one
/// [block, keys] product per (head, query block) is cheaper than keeping heads·n² floats per layer.
///
/// Q, K (RoPE applied) and V sit side by side in rows of a [tokens, qkvDim] block; sequence s owns
/// rows seqStart[s] ..< seqStart[s] + seqLen[s] and its positions count from 0.
struct AttentionLayout {
    let heads: Int, kvHeads: Int, headDim: Int, qDim: Int, kvDim: Int, qkvDim: Int
    let scale: Float
    let window: Int?
    let queryBlock: Int
    let seqStart: UnsafePointer<Int>, seqLen: UnsafePointer<Int>, sequences: Int
    /// Per-worker scratch: two [queryBlock, maxSequence] matrices.
    let scratch: UnsafeMutablePointer<Float>, scratchPerWorker: Int

    var group: Int { heads / kvHeads }

    /// P[nq, nk] = masked softmax(scale·Q Kᵀ) for queries j0 ..< j0+nq of a sequence whose rows
    /// start at `row0`, against keys lo ..< lo+nk. Masked entries are 0.
    @inline(__always)
    func probabilities(qkv: UnsafePointer<Float>, row0: Int, head h: Int, j0: Int, nq: Int, lo: Int, nk: Int,
                       into p: UnsafeMutablePointer<Float>) {
        let kvh = h / group
        Matmul.abT(qkv + (row0 + j0) * qkvDim + h * headDim, lda: qkvDim,
                   qkv + (row0 + lo) * qkvDim + qDim + kvh * headDim, ldb: qkvDim,
                   m: nq, n: nk, k: headDim, alpha: scale, into: p, ldc: nk)
        for i in 0..<nq {
            let pos = j0 + i
            let a = AttentionMask.firstVisibleKey(position: pos, window: window) - lo
            let end = pos + 1 - lo
            AttentionMask.softmaxVisible(p + i * nk, from: a, to: end, width: nk)
        }
    }

    /// Keys visible to the block of queries j0 ..< j0+nq: lo ..< j0+nq.
    @inline(__always)
    func keyRange(j0: Int, nq: Int) -> (lo: Int, nk: Int) {
        let lo = AttentionMask.firstVisibleKey(position: j0, window: window)
        return (lo, j0 + nq - lo)
    }
}

/// out[t, h] = Σ P·V, units (sequence, head, query block) dealt round-robin, longest blocks first.
struct TrainingAttentionForward: ParallelRegion {
    let layout: AttentionLayout
    let qkv: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>

    func run(worker w: Int, workers: Int) {
        let L = layout, qb = L.queryBlock
        let p = L.scratch + w * L.scratchPerWorker
        var u = 0
        for s in 0..<L.sequences {
            let n = L.seqLen[s], row0 = L.seqStart[s]
            let blocks = (n + qb - 1) / qb
            for b in (0..<blocks).reversed() {
                for h in 0..<L.heads {
                    defer { u += 1 }
                    if u % workers != w { continue }
                    let j0 = b * qb, nq = min(qb, n - j0)
                    let (lo, nk) = L.keyRange(j0: j0, nq: nq)
                    L.probabilities(qkv: qkv, row0: row0, head: h, j0: j0, nq: nq, lo: lo, nk: nk, into: p)
                    let kvh = h / L.group
                    Matmul.ab(p, lda: nk, qkv + (row0 + lo) * L.qkvDim + L.qDim + L.kvDim + kvh * L.headDim,
                              ldb: L.qkvDim, m: nq, n: L.headDim, k: nk,
                              into: out + (row0 + j0) * L.qDim + h * L.headDim, ldc: L.qDim)
                }
            }
        }
    }
}

/// dQ, dK, dV (into a zeroed [tokens, qkvDim] block) from dOut. Units are (sequence, KV head), so
/// each unit owns its dK/dV columns and the dQ columns of its group's query heads: no races.
/// Per block: dP = dO·Vᵀ, dV += Pᵀ·dO, dS = P ⊙ (dP − rowsum(P ⊙ dP)), dQ = s·dS·K, dK += s·dSᵀ·Q.
struct TrainingAttentionBackward: ParallelRegion {
    let layout: AttentionLayout
    let qkv: UnsafePointer<Float>, dOut: UnsafePointer<Float>, dqkv: UnsafeMutablePointer<Float>

    func run(worker w: Int, workers: Int) {
        let L = layout, qb = L.queryBlock, hd = L.headDim, ld = L.qkvDim
        let p = L.scratch + w * L.scratchPerWorker
        let dp = p + L.scratchPerWorker / 2
        var u = 0
        for s in 0..<L.sequences {
            let n = L.seqLen[s], row0 = L.seqStart[s]
            let blocks = (n + qb - 1) / qb
            for kvh in 0..<L.kvHeads {
                defer { u += 1 }
                if u % workers != w { continue }
                let kOff = L.qDim + kvh * hd, vOff = L.qDim + L.kvDim + kvh * hd
                for h in (kvh * L.group)..<((kvh + 1) * L.group) {
                    for b in 0..<blocks {
                        let j0 = b * qb, nq = min(qb, n - j0)
                        let (lo, nk) = L.keyRange(j0: j0, nq: nq)
                        L.probabilities(qkv: qkv, row0: row0, head: h, j0: j0, nq: nq, lo: lo, nk: nk, into: p)
                        let dO = dOut + (row0 + j0) * L.qDim + h * hd
                        Matmul.gemmCall(false, true, nq, nk, hd, 1, dO, L.qDim, qkv + (row0 + lo) * ld + vOff, ld,
                                        0, dp, nk)
                        Matmul.gemmCall(true, false, nk, hd, nq, 1, p, nk, dO, L.qDim,
                                        1, dqkv + (row0 + lo) * ld + vOff, ld)
                        for i in 0..<nq {
                            let pr = p + i * nk, dr = dp + i * nk
                            var dot: Float = 0
                            for j in 0..<nk { dot += pr[j] * dr[j] }
                            for j in 0..<nk { dr[j] = pr[j] * (dr[j] - dot) }
                        }
                        Matmul.gemmCall(false, false, nq, hd, nk, L.scale, dp, nk, qkv + (row0 + lo) * ld + kOff, ld,
                                        0, dqkv + (row0 + j0) * ld + h * hd, ld)
                        Matmul.gemmCall(true, false, nk, hd, nq, L.scale, dp, nk, qkv + (row0 + j0) * ld + h * hd, ld,
                                        1, dqkv + (row0 + lo) * ld + kOff, ld)
                    }
                }
            }
        }
    }
}

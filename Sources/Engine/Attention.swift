/// Causal (optionally sliding-window) grouped-query attention of one layer over a chunk of tokens.
///
/// Work is split into units — (segment, query head, block of ≤ 64 queries) in prefill, and
/// (segment, KV head) in decode, where the group's query heads share the KV head and are stacked
/// into one [groupSize, headDim] matrix — and the units are dealt round-robin to the cores. Each
/// unit does two small single-threaded BLAS products (scores = Q·Kᵀ, out = P·V) around a masked
/// softmax; see `Parallel` for why OpenBLAS is serial during this phase.
enum Attention {
    /// Reads Q from `scratch.qkv` (RoPE applied) and K/V from the cache (this chunk's keys already
    /// stored); writes `scratch.attn` [tokens, qDim].
    static func run(layer: Int, config c: ModelConfig, cache: KVCache, scratch s: ForwardScratch,
                    segments: Int) {
        let hd = c.headDim, qkvDim = c.qkvDim, qDim = c.qDim, g = c.groupSize
        let window = c.window(forLayer: layer)
        let scale = c.attentionScale
        let qb = s.queryBlock
        // Units per segment: decode (one query) → one per KV head; prefill → heads × blocks.
        @inline(__always) func units(_ seg: Int) -> Int {
            let n = s.segCount[seg]
            return n == 1 ? c.kvHeads : c.heads * ((n + qb - 1) / qb)
        }
        var total = 0
        for seg in 0..<segments { total += units(seg) }
        let workers = min(Parallel.cores, total)

        Parallel.blasSerial {
            Parallel.forEachWorker(workers: workers) { w, nw in
                let scores = s.scores + w * s.scoresPerWorker
                var u = 0
                for seg in 0..<segments {
                    let count = units(seg)
                    let row = s.segRow[seg], p0 = s.segStart[seg], n = s.segCount[seg], t0 = s.segToken[seg]
                    for k in 0..<count {
                        defer { u += 1 }
                        if u % nw != w { continue }
                        if n == 1 {
                            // Decode: the kvHead's group of query heads against all the row's keys.
                            let kvh = k
                            let pos = p0
                            let lo = window.map { max(0, pos - $0 + 1) } ?? 0
                            let nk = pos + 1 - lo
                            let off = cache.offset(layer: layer, row: row, kvHead: kvh) + lo * hd
                            let q = s.qkv + t0 * qkvDim + kvh * g * hd
                            Matmul.abT(q, lda: hd, cache.keys + off, ldb: hd, m: g, n: nk, k: hd,
                                       alpha: scale, into: scores, ldc: nk)
                            for i in 0..<g { Activation.softmax(scores + i * nk, nk) }
                            Matmul.ab(scores, lda: nk, cache.values + off, ldb: hd, m: g, n: hd, k: nk,
                                      into: s.attn + t0 * qDim + kvh * g * hd, ldc: hd)
                        } else {
                            let blocks = (n + qb - 1) / qb
                            let h = k / blocks, b = k % blocks
                            let j0 = b * qb, nq = min(qb, n - j0)
                            let first = p0 + j0, last = first + nq - 1
                            let lo = window.map { max(0, first - $0 + 1) } ?? 0
                            let nk = last + 1 - lo
                            let off = cache.offset(layer: layer, row: row, kvHead: h / g) + lo * hd
                            let q = s.qkv + (t0 + j0) * qkvDim + h * hd
                            Matmul.abT(q, lda: qkvDim, cache.keys + off, ldb: hd, m: nq, n: nk, k: hd,
                                       alpha: scale, into: scores, ldc: nk)
                            for i in 0..<nq {
                                let pos = first + i
                                // Keys this query may see, relative to `lo`: [a, b).
                                let a = (window.map { max(0, pos - $0 + 1) } ?? 0) - lo
                                let end = pos + 1 - lo
                                let rowScores = scores + i * nk
                                if a > 0 { rowScores.update(repeating: 0, count: a) }
                                Activation.softmax(rowScores + a, end - a)
                                if end < nk { (rowScores + end).update(repeating: 0, count: nk - end) }
                            }
                            Matmul.ab(scores, lda: nk, cache.values + off, ldb: hd, m: nq, n: hd, k: nk,
                                      into: s.attn + (t0 + j0) * qDim + h * hd, ldc: qDim)
                        }
                    }
                }
            }
        }
    }
}

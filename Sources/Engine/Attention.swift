/// Causal (optionally sliding-window) grouped-query attention of one layer over a chunk of tokens.
///
/// Work is split into units — (segment, query head, block of ≤ 64 queries) in prefill, and
/// (segment, KV head) in decode, where the group's query heads share the KV head and are stacked
/// into one [groupSize, headDim] matrix — and the units are dealt to the cores costliest first, in
/// snake order (0, 1, 1, 0, 0, 1, …), which balances causal blocks of unequal size. Each
/// unit does two small single-threaded BLAS products (scores = Q·Kᵀ, out = P·V) around a masked
/// softmax (OpenBLAS is always single-threaded; see `Parallel`).
enum Attention {
    /// Reads Q from `scratch.qkv` (RoPE applied) and K/V from the cache (this chunk's keys already
    /// stored); writes `scratch.attn` [tokens, qDim].
    static func run(layer: Int, config c: ModelConfig, cache: KVCache, scratch s: ForwardScratch,
                    segments: Int) {
        _ = Parallel.blasSingleThreaded
        let qb = s.queryBlock
        var total = 0
        for seg in 0..<segments {
            let n = s.segCount[seg]
            total += n == 1 ? c.kvHeads : c.heads * ((n + qb - 1) / qb)
        }
        let region = Units(layer: layer, config: c, cache: cache, scratch: s, segments: segments)
        if total == 1 {
            region.run(worker: 0, workers: 1)
        } else {
            Parallel.forEachWorker(region)
        }
    }

    private struct Units: ParallelRegion {
        let layer: Int, config: ModelConfig, cache: KVCache, scratch: ForwardScratch, segments: Int
        func run(worker: Int, workers: Int) {
            runUnits(worker: worker, workers: workers, layer: layer, config: config, cache: cache,
                     scratch: scratch, segments: segments)
        }
    }

    /// Whether unit `u` belongs to `worker` (snake order).
    @inline(__always)
    private static func mine(_ u: Int, _ worker: Int, _ workers: Int) -> Bool {
        let r = u % (2 * workers)
        return (r < workers ? r : 2 * workers - 1 - r) == worker
    }

    /// This worker's units.
    private static func runUnits(worker w: Int, workers: Int, layer: Int, config c: ModelConfig,
                                 cache: KVCache, scratch s: ForwardScratch, segments: Int) {
        let hd = c.headDim, qkvDim = c.qkvDim, qDim = c.qDim, g = c.groupSize
        let window = c.window(forLayer: layer)
        let scale = c.attentionScale
        let qb = s.queryBlock
        let scores = s.scores + w * s.scoresPerWorker
        var u = 0
        for seg in 0..<segments {
            let row = s.segRow[seg], p0 = s.segStart[seg], n = s.segCount[seg], t0 = s.segToken[seg]
            if n == 1 {
                // Decode: each KV head's group of query heads against all the row's visible keys.
                for kvh in 0..<c.kvHeads {
                    defer { u += 1 }
                    if !mine(u, w, workers) { continue }
                    let lo = window.map { max(0, p0 - $0 + 1) } ?? 0
                    let nk = p0 + 1 - lo
                    let off = cache.offset(layer: layer, row: row, kvHead: kvh) + lo * hd
                    Matmul.abT(s.qkv + t0 * qkvDim + kvh * g * hd, lda: hd, cache.keys + off, ldb: hd,
                               m: g, n: nk, k: hd, alpha: scale, into: scores, ldc: nk)
                    for i in 0..<g { Activation.softmax(scores + i * nk, nk) }
                    Matmul.ab(scores, lda: nk, cache.values + off, ldb: hd, m: g, n: hd, k: nk,
                              into: s.attn + t0 * qDim + kvh * g * hd, ldc: hd)
                }
                continue
            }
            // Later blocks see more keys: deal them first.
            let blocks = (n + qb - 1) / qb
            for b in (0..<blocks).reversed() {
                for h in 0..<c.heads {
                    defer { u += 1 }
                    if !mine(u, w, workers) { continue }
                    let j0 = b * qb, nq = min(qb, n - j0)
                    let first = p0 + j0, last = first + nq - 1
                    let lo = window.map { max(0, first - $0 + 1) } ?? 0
                    let nk = last + 1 - lo
                    let off = cache.offset(layer: layer, row: row, kvHead: h / g) + lo * hd
                    Matmul.abT(s.qkv + (t0 + j0) * qkvDim + h * hd, lda: qkvDim, cache.keys + off, ldb: hd,
                               m: nq, n: nk, k: hd, alpha: scale, into: scores, ldc: nk)
                    for i in 0..<nq {
                        // Query at position `pos` sees keys [max(lo, pos − window + 1), pos]; relative
                        // to `lo` that is [a, end). The rest of its row is zeroed for P·V.
                        let pos = first + i
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

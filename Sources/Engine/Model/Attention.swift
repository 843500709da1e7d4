import QuantKernels

/// Causal (optionally sliding-window) grouped-query attention of one layer over a chunk of tokens.
///
/// Work is split into units — (segment, query head, block of ≤ 64 queries) in prefill, and
/// (segment, KV head) in decode, where the group's query heads share the KV head and are stacked
/// into one [groupSize, headDim] matrix — and the units are dealt to the cores costliest first, in
/// snake order (0, 1, 1, 0, 0, 1, …), which balances causal blocks of unequal size. Each
/// unit does small single-threaded BLAS products (scores = Q·Kᵀ, out = P·V) around a masked
/// softmax (OpenBLAS is always single-threaded; see `Parallel`).
///
/// Decode steps use the QuantKernels products (`ftq_scores`, `ftq_weighted_values`), whose
/// summation order is fixed per element: a row's attention then gives the same bits whether it runs
/// alone, in a batch, per KV head or stacked with other rows over a shared prefix — which keeps
/// greedy outputs independent of the batch (continuous batching changes the batch every step).
/// Prefill keeps BLAS: a prompt's prefill is always one segment, computed the same way whatever
/// else is in the chunk.
///
/// When the cache shares a prefix (few-shot prompts, `KVCache.attachPrefix`), keys below the
/// prefix length come from the prefix's cache; a decode step over several rows then runs per query
/// head with the rows stacked, so the prefix's keys and values are read once per step rather than
/// once per row (decode is memory-bound: with a 1k-token prefix and 8 rows, per-row reads made a
/// step about 1.7× as costly as without shots).
enum Attention {
    /// Reads Q from `scratch.qkv` (RoPE applied) and K/V from the cache (this chunk's keys already
    /// stored); writes `scratch.attn` [tokens, qDim].
    static func run(layer: Int, config c: ModelConfig, cache: KVCache, scratch s: ForwardScratch,
                    segments: Int) {
        _ = Parallel.blasSingleThreaded
        if cache.prefixLength > 0 && segments > 1 && sharedDecodeApplies(cache: cache, scratch: s, segments: segments) {
            let region = SharedPrefixDecode(layer: layer, config: c, cache: cache, scratch: s, segments: segments)
            Parallel.forEachWorker(region)
            return
        }
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

    /// A decode step (one token per segment, segment i is token i) with every row past the prefix.
    private static func sharedDecodeApplies(cache: KVCache, scratch s: ForwardScratch, segments: Int) -> Bool {
        for seg in 0..<segments where s.segCount[seg] != 1 || s.segToken[seg] != seg || s.segStart[seg] < cache.prefixLength {
            return false
        }
        return true
    }

    private struct Units: ParallelRegion {
        let layer: Int, config: ModelConfig, cache: KVCache, scratch: ForwardScratch, segments: Int
        func run(worker: Int, workers: Int) {
            runUnits(worker: worker, workers: workers, layer: layer, config: config, cache: cache,
                     scratch: scratch, segments: segments)
        }
    }

    private struct SharedPrefixDecode: ParallelRegion {
        let layer: Int, config: ModelConfig, cache: KVCache, scratch: ForwardScratch, segments: Int
        func run(worker: Int, workers: Int) {
            sharedPrefixDecode(worker: worker, workers: workers, layer: layer, config: config, cache: cache,
                               scratch: scratch, segments: segments)
        }
    }

    /// Whether unit `u` belongs to `worker` (snake order).
    @inline(__always)
    private static func mine(_ u: Int, _ worker: Int, _ workers: Int) -> Bool {
        let r = u % (2 * workers)
        return (r < workers ? r : 2 * workers - 1 - r) == worker
    }

    /// scores[i][j − lo] = scale · q_i · k_j for keys lo..<hi of (row, kvHead), i < m; keys below
    /// the shared prefix's length come from the prefix's cache.
    @inline(__always)
    private static func scores(_ q: UnsafePointer<Float>, lda: Int, m: Int, cache: KVCache, layer: Int, row: Int,
                               kvHead: Int, lo: Int, hi: Int, scale: Float, hd: Int,
                               into out: UnsafeMutablePointer<Float>, ldc: Int, decode: Bool) {
        var j = lo
        while j < hi {
            let end = cache.contiguousRun(from: j, to: hi)
            let keys = cache.keys(layer: layer, row: row, kvHead: kvHead, from: j)
            if decode {
                ftq_scores(q, Int64(lda), Int64(m), keys, Int64(hd), Int64(end - j), Int64(hd), scale,
                           out + (j - lo), Int64(ldc))
            } else {
                Matmul.abT(q, lda: lda, keys, ldb: hd, m: m, n: end - j, k: hd, alpha: scale,
                           into: out + (j - lo), ldc: ldc)
            }
            j = end
        }
    }

    /// out[i] = Σ_j p[i][j − lo] · v_j over keys lo..<hi, i < m, split like `scores`.
    @inline(__always)
    private static func weightedValues(_ p: UnsafePointer<Float>, ldp: Int, m: Int, cache: KVCache, layer: Int,
                                       row: Int, kvHead: Int, lo: Int, hi: Int, hd: Int,
                                       into out: UnsafeMutablePointer<Float>, ldc: Int, decode: Bool,
                                       accumulate: Bool = false) {
        var j = lo
        var first = !accumulate
        while j < hi {
            let end = cache.contiguousRun(from: j, to: hi)
            let values = cache.values(layer: layer, row: row, kvHead: kvHead, from: j)
            if decode {
                ftq_weighted_values(p + (j - lo), Int64(ldp), Int64(m), values, Int64(hd), Int64(end - j), Int64(hd),
                                    out, Int64(ldc), first ? 0 : 1)
            } else {
                Matmul.ab(p + (j - lo), lda: ldp, values, ldb: hd, m: m, n: hd, k: end - j, into: out, ldc: ldc,
                          accumulate: !first)
            }
            first = false
            j = end
        }
    }

    /// This worker's units.
    private static func runUnits(worker w: Int, workers: Int, layer: Int, config c: ModelConfig,
                                 cache: KVCache, scratch s: ForwardScratch, segments: Int) {
        let hd = c.headDim, qkvDim = c.qkvDim, qDim = c.qDim, g = c.groupSize
        let window = c.window(forLayer: layer)
        let scale = c.attentionScale
        let qb = s.queryBlock
        let scoreBlock = s.scores + w * s.scoresPerWorker
        var u = 0
        for seg in 0..<segments {
            let row = s.segRow[seg], p0 = s.segStart[seg], n = s.segCount[seg], t0 = s.segToken[seg]
            if n == 1 {
                // Decode: each KV head's group of query heads against all the row's visible keys.
                for kvh in 0..<c.kvHeads {
                    defer { u += 1 }
                    if !mine(u, w, workers) { continue }
                    let lo = AttentionMask.firstVisibleKey(position: p0, window: window)
                    let nk = p0 + 1 - lo
                    scores(s.qkv + t0 * qkvDim + kvh * g * hd, lda: hd, m: g, cache: cache, layer: layer, row: row,
                           kvHead: kvh, lo: lo, hi: p0 + 1, scale: scale, hd: hd, into: scoreBlock, ldc: nk, decode: true)
                    for i in 0..<g { Activation.softmax(scoreBlock + i * nk, nk) }
                    weightedValues(scoreBlock, ldp: nk, m: g, cache: cache, layer: layer, row: row, kvHead: kvh,
                                   lo: lo, hi: p0 + 1, hd: hd, into: s.attn + t0 * qDim + kvh * g * hd, ldc: hd,
                                   decode: true)
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
                    let lo = AttentionMask.firstVisibleKey(position: first, window: window)
                    let nk = last + 1 - lo
                    scores(s.qkv + (t0 + j0) * qkvDim + h * hd, lda: qkvDim, m: nq, cache: cache, layer: layer,
                           row: row, kvHead: h / g, lo: lo, hi: last + 1, scale: scale, hd: hd,
                           into: scoreBlock, ldc: nk, decode: false)
                    for i in 0..<nq {
                        // Query at position `pos` sees keys [max(lo, pos − window + 1), pos]; relative
                        // to `lo` that is [a, end). The rest of its row is zeroed for P·V.
                        let pos = first + i
                        let a = AttentionMask.firstVisibleKey(position: pos, window: window) - lo
                        let end = pos + 1 - lo
                        AttentionMask.softmaxVisible(scoreBlock + i * nk, from: a, to: end, width: nk)
                    }
                    weightedValues(scoreBlock, ldp: nk, m: nq, cache: cache, layer: layer, row: row, kvHead: h / g,
                                   lo: lo, hi: last + 1, hd: hd, into: s.attn + (t0 + j0) * qDim + h * hd, ldc: qDim,
                                   decode: false)
                }
            }
        }
    }

    /// A decode step over rows that share a prefix, one unit per query head: the rows' queries
    /// (stride qkvDim) against the prefix's keys in one product, each row's own keys after them in
    /// the same score row, one softmax per row, then the prefix's values for all rows in one
    /// product and each row's own values added.
    private static func sharedPrefixDecode(worker w: Int, workers: Int, layer: Int, config c: ModelConfig,
                                           cache: KVCache, scratch s: ForwardScratch, segments rows: Int) {
        let hd = c.headDim, qkvDim = c.qkvDim, qDim = c.qDim, g = c.groupSize
        let window = c.window(forLayer: layer)
        let scale = c.attentionScale
        let prefix = cache.prefixLength
        // Prefix keys any row can see: from the smallest window start on.
        var pl = prefix
        var longestOwn = 0
        for i in 0..<rows {
            let p0 = s.segStart[i]
            pl = min(pl, AttentionMask.firstVisibleKey(position: p0, window: window))
            longestOwn = max(longestOwn, p0 + 1 - prefix)
        }
        let np = prefix - pl
        let width = np + longestOwn
        let block = s.sharedScores! + w * s.sharedScoresPerWorker
        for h in 0..<c.heads where mine(h, w, workers) {
            let kvh = h / g
            let q = s.qkv + h * hd
            if np > 0 {
                scores(q, lda: qkvDim, m: rows, cache: cache, layer: layer, row: 0, kvHead: kvh, lo: pl, hi: prefix,
                       scale: scale, hd: hd, into: block, ldc: width, decode: true)
            }
            for i in 0..<rows {
                let row = s.segRow[i], p0 = s.segStart[i]
                let lo = AttentionMask.firstVisibleKey(position: p0, window: window)
                let ownLo = max(lo, prefix)
                let rowScores = block + i * width
                // Own keys ownLo…p0 at columns np + (ownLo − prefix)…; columns before the row's
                // window start hold no score and get weight 0.
                scores(q + i * qkvDim, lda: qkvDim, m: 1, cache: cache, layer: layer, row: row, kvHead: kvh,
                       lo: ownLo, hi: p0 + 1, scale: scale, hd: hd, into: rowScores + np + (ownLo - prefix), ldc: width,
                       decode: true)
                let a = lo < prefix ? max(lo, pl) - pl : np + (ownLo - prefix)
                let end = np + (p0 + 1 - prefix)
                AttentionMask.softmaxVisible(rowScores, from: a, to: end, width: end)
            }
            let out = s.attn + h * hd
            if np > 0 {
                weightedValues(block, ldp: width, m: rows, cache: cache, layer: layer, row: 0, kvHead: kvh,
                               lo: pl, hi: prefix, hd: hd, into: out, ldc: qDim, decode: true)
            }
            for i in 0..<rows {
                let row = s.segRow[i], p0 = s.segStart[i]
                let lo = AttentionMask.firstVisibleKey(position: p0, window: window)
                let ownLo = max(lo, prefix)
                weightedValues(block + i * width + np + (ownLo - prefix), ldp: width, m: 1, cache: cache, layer: layer,
                               row: row, kvHead: kvh, lo: ownLo, hi: p0 + 1, hd: hd, into: out + i * qDim, ldc: qDim,
                               decode: true, accumulate: np > 0)
            }
        }
    }
}

import Foundation

/// A decoder-only transformer (llama, qwen2, gemma3) running in fp32 with a KV cache.
///
/// The forward pass is one operation: append tokens to rows of a `KVCache` and return the logits
/// after each row's last new token. Prefill (whole prompts), decode (one token per active row) and
/// shared-prefix suffixes are all that operation. The new tokens of all rows are packed into one
/// [tokens, dim] activation block, so each projection is a single sgemm over the whole batch, and
/// the LM head runs only on the rows' last tokens.
public final class Transformer: @unchecked Sendable {
    public let config: ModelConfig
    /// What the forward pass reads: views of `fp32Weights`, or the GGUF's quantized blocks.
    /// (Set only by the forward pass's owners: `orderedProducts`, and adapter merging over a
    /// quantized base, which swaps in a weight set with merged fp32 projections.)
    var inference: InferenceWeights
    /// The fp32 arena, when the model was loaded with `.fp32` weights (training needs it).
    private let fp32Weights: TransformerWeights?

    public var precision: WeightPrecision { inference.precision }

    /// Whether every product of the forward pass has a fixed per-row summation order, so that a
    /// row's outputs do not depend on the rest of the batch (what continuous batching needs for
    /// reproducible greedy outputs). Always true for quantized weights; for fp32 weights it
    /// switches between OpenBLAS (false: the reference path) and the QuantKernels F32 product.
    /// Not to be changed while another thread runs a forward pass.
    public var orderedProducts: Bool {
        get { inference.ordered }
        set {
            guard let w = fp32Weights, newValue != inference.ordered else { return }
            inference = InferenceWeights(fp32: w, ordered: newValue)
        }
    }

    /// The fp32 arena, if the model has one (training reads it without the misuse check).
    var fp32Arena: TransformerWeights? { fp32Weights }

    /// Bytes of weights held in memory (quantized blocks, or the fp32 arena).
    public var weightBytes: Int { inference.residentBytes }

    /// The fp32 weights training and export work on. Loading with `.quantized` weights and then
    /// training is an API misuse (callers load with `.fp32`; `TrainRunner` does).
    var weights: TransformerWeights {
        guard let w = fp32Weights else {
            fatalError("this model holds quantized weights; load it with precision .fp32 to train or export it")
        }
        return w
    }

    /// A model over the quantized blocks of a GGUF file (which it keeps open).
    init(config: ModelConfig, quantized file: GGUFFile) throws {
        try config.validate()
        self.config = config
        fp32Weights = nil
        inference = try InferenceWeights(gguf: file, config: config)
    }

    /// Builds the model from tensors looked up by GGUF name (`token_embd.weight`,
    /// `blk.N.attn_q.weight`, …), each row-major [out, in]. Dequantizes/copies them once.
    public init(config: ModelConfig, weights provider: (String) throws -> [Float]) throws {
        try config.validate()
        self.config = config
        let w = try TransformerWeights(config: config, provider: provider)
        fp32Weights = w
        inference = InferenceWeights(fp32: w)
    }

    /// Builds the model by letting `fill(name, buffer)` write each tensor (row-major, exactly
    /// `buffer.count` floats) into the weight arena — no intermediate arrays.
    public init(config: ModelConfig, fill: (String, UnsafeMutableBufferPointer<Float>) throws -> Void) throws {
        try config.validate()
        self.config = config
        let w = try TransformerWeights(config: config, fill: fill)
        fp32Weights = w
        inference = InferenceWeights(fp32: w)
    }

    /// A cache (and scratch buffers) for `rows` sequences of up to `capacity` tokens each.
    public func makeCache(rows: Int, capacity: Int) -> KVCache {
        KVCache(config: config, rows: rows, capacity: capacity)
    }

    /// Appends `tokens[i]` to cache row `rows[i]` (default: row i) and returns the logits after
    /// each entry's last token. Rows must be distinct, entries non-empty, and fit the capacity.
    /// The returned view is valid until the next forward pass on `cache`.
    @discardableResult
    public func forward(_ tokens: [[Int32]], rows: [Int]? = nil, cache: KVCache) -> Logits {
        let rowList = rows ?? Array(0..<tokens.count)
        check(rowList.count == tokens.count, "forward: \(tokens.count) token lists for \(rowList.count) rows")
        return run(entries: tokens.count, cache: cache,
                   row: { rowList[$0] }, count: { tokens[$0].count }, token: { tokens[$0][$1] })
    }

    /// Prefill: starts every row of `cache` (which must be empty) with its prompt. Rows of different
    /// lengths behave as a left-padded batch — they end together, positions count from each row's
    /// first token, and padding is never stored or attended to.
    @discardableResult
    public func prefill(tokens: [[Int32]], cache: KVCache) -> Logits {
        check(tokens.count <= cache.rows, "prefill: \(tokens.count) prompts for a cache of \(cache.rows) rows")
        for r in 0..<tokens.count {
            check(cache.lengths[r] == 0, "prefill: cache row \(r) is not empty (use forward to extend it)")
        }
        return forward(tokens, cache: cache)
    }

    /// Decode step: appends one token to each of `rows` (default: all rows, in order).
    @discardableResult
    public func decodeStep(tokens: [Int32], rows: [Int]? = nil, cache: KVCache) -> Logits {
        let rowList = rows ?? Array(0..<tokens.count)
        check(rowList.count == tokens.count, "decodeStep: \(tokens.count) tokens for \(rowList.count) rows")
        return run(entries: tokens.count, cache: cache,
                   row: { rowList[$0] }, count: { _ in 1 }, token: { i, _ in tokens[i] })
    }

    /// Last-position logits of one sequence, computed from scratch (the verification hook).
    public func logits(tokens: [Int32]) -> [Float] {
        let cache = makeCache(rows: 1, capacity: max(tokens.count, 1))
        return prefill(tokens: [tokens], cache: cache).array(0)
    }

    // MARK: - The forward pass

    /// Core of every forward: entry i appends `count(i)` tokens `token(i, j)` to row `row(i)`.
    /// Non-escaping closures keep the decode loop free of allocations.
    func run(entries: Int, cache: KVCache, row: (Int) -> Int, count: (Int) -> Int,
             token: (Int, Int) -> Int32) -> Logits {
        let c = config, s = cache.scratch
        check(entries > 0, "forward: no entries")
        check(entries <= cache.rows, "forward: \(entries) entries for a cache of \(cache.rows) rows")
        var total = 0
        for e in 0..<entries {
            let r = row(e), n = count(e)
            check(r >= 0 && r < cache.rows, "forward: row \(r) out of range 0..<\(cache.rows)")
            check(n > 0, "forward: entry \(e) has no tokens")
            check(cache.lengths[r] + n <= cache.capacity,
                  "forward: row \(r) would hold \(cache.lengths[r] + n) tokens, capacity is \(cache.capacity)")
            for j in 0..<n {
                let t = token(e, j)
                check(t >= 0 && Int(t) < c.vocabSize, "forward: token id \(t) outside the vocabulary 0..<\(c.vocabSize)")
            }
            for f in 0..<e where row(f) == r { check(false, "forward: row \(r) given twice") }
            total += n
        }

        Parallel.forwardLock.lock()
        defer { Parallel.forwardLock.unlock() }
        s.reserve(tokens: min(total, s.maxChunkTokens))
        for e in 0..<entries {
            let r = row(e)
            cache.reservePositions(row: r, from: cache.lengths[r], to: cache.lengths[r] + count(e))
        }

        // Deal the tokens into chunks of at most maxChunkTokens; a row may span chunks.
        var e = 0, done = 0
        while e < entries {
            var segments = 0, n = 0
            while e < entries && n < s.maxChunkTokens {
                let r = row(e), len = count(e)
                let take = min(len - done, s.maxChunkTokens - n)
                let start = cache.lengths[r] + done
                s.segRow[segments] = r
                s.segStart[segments] = start
                s.segCount[segments] = take
                s.segToken[segments] = n
                s.segEntry[segments] = done + take == len ? e : -1
                for j in 0..<take {
                    s.tokenIDs[n + j] = token(e, done + j)
                    s.positions[n + j] = Int32(start + j)
                    s.tokenRows[n + j] = Int32(r)
                }
                segments += 1
                n += take
                done += take
                if done == len { e += 1; done = 0 }
            }
            runChunk(cache: cache, segments: segments, tokens: n)
        }
        for e in 0..<entries { cache.lengths[row(e)] += count(e) }
        if c.slidingWindow != nil {
            for e in 0..<entries { cache.releaseUnseen(row: row(e)) }
        }

        // Final norm and LM head on each entry's last hidden state only.
        ForwardProfile.measure(.lmHead) {
            RMSNorm.rows(s.finalHidden, xStride: c.dim, weight: inference.outputNorm, eps: c.normEps,
                         into: s.finalHidden, yStride: c.dim, rows: entries, n: c.dim)
            inference.output.apply(s.finalHidden, rows: entries, into: s.logits, scratch: inference.scratch)
        }
        return Logits(count: entries, vocabSize: c.vocabSize, base: s.logits, owner: cache)
    }

    /// One chunk: embeddings, every layer, then the last hidden state of finished entries.
    private func runChunk(cache: KVCache, segments: Int, tokens n: Int) {
        let c = config, s = cache.scratch, dim = c.dim
        let scale = c.embeddingScale
        ForwardProfile.measure(.embed) {
            Parallel.forRanges(n, costPerItem: dim, EmbedTokens(
                table: inference.embedding, tokens: s.tokenIDs, scale: scale, x: s.x, dim: dim))
        }
        RoPE.fillTable(positions: s.positions, count: n, headDim: c.headDim, base: c.ropeBase,
                       cos: s.ropeCos, sin: s.ropeSin)
        if let local = c.localRopeBase, c.slidingWindow != nil {
            RoPE.fillTable(positions: s.positions, count: n, headDim: c.headDim, base: local,
                           cos: s.localCos, sin: s.localSin)
        }
        for l in 0..<c.layers {
            attentionBlock(layer: l, cache: cache, segments: segments, tokens: n)
            mlpBlock(layer: l, scratch: s, tokens: n)
        }
        for seg in 0..<segments where s.segEntry[seg] >= 0 {
            let last = s.segToken[seg] + s.segCount[seg] - 1
            (s.finalHidden + s.segEntry[seg] * dim).update(from: s.x + last * dim, count: dim)
        }
    }

    /// x += [post-norm](Wo · attention(RoPE(Wqkv · norm(x)))).
    private func attentionBlock(layer l: Int, cache: KVCache, segments: Int, tokens n: Int) {
        let c = config, s = cache.scratch, w = inference.layers[l], q = inference.scratch
        let dim = c.dim, qkvDim = c.qkvDim
        ForwardProfile.measure(.norm) {
            RMSNorm.rows(s.x, xStride: dim, weight: w.attnNorm, eps: c.normEps, into: s.normed,
                         yStride: dim, rows: n, n: dim)
        }
        ForwardProfile.measure(.qkvProduct) {
            w.qkv.apply(s.normed, rows: n, into: s.qkv, scratch: q)
        }

        // Bias, QK-norm, RoPE, and K/V into the cache, per token.
        let global = c.isGlobalLayer(l)
        let cosTable = global ? s.ropeCos! : s.localCos!, sinTable = global ? s.ropeSin! : s.localSin!
        ForwardProfile.measure(.qkvPrepare) {
            Parallel.forRanges(n, costPerItem: qkvDim * 4, PrepareQKV(
                config: c, layer: l, weights: w, cache: cache, scratch: s, cos: cosTable, sin: sinTable))
        }

        ForwardProfile.measure(.attention) {
            Attention.run(layer: l, config: c, cache: cache, scratch: s, segments: segments)
        }

        ForwardProfile.measure(.outputProduct) {
            if let post = w.postAttnNorm {
                w.attnOutput.apply(s.attn, rows: n, into: s.proj, scratch: q)
                addNormalized(s.proj, weight: post, into: s.x, tokens: n)
            } else {
                w.attnOutput.apply(s.attn, rows: n, into: s.x, accumulate: true, scratch: q)
            }
        }
    }

    /// x += [post-norm](W_down · act(W_gate · norm(x)) ⊙ (W_up · norm(x))).
    private func mlpBlock(layer l: Int, scratch s: ForwardScratch, tokens n: Int) {
        let c = config, w = inference.layers[l], q = inference.scratch, dim = c.dim, ffn = c.ffnDim
        ForwardProfile.measure(.norm) {
            RMSNorm.rows(s.x, xStride: dim, weight: w.ffnNorm, eps: c.normEps, into: s.normed,
                         yStride: dim, rows: n, n: dim)
        }
        ForwardProfile.measure(.gateUpProduct) {
            w.gateUp.apply(s.normed, rows: n, into: s.gateUp, scratch: q)
        }
        let kind = c.activation
        ForwardProfile.measure(.activation) {
            Parallel.forRanges(n, costPerItem: ffn * 8, GatedActivation(
                kind: kind, gateUp: s.gateUp, hidden: s.hidden, ffn: ffn))
        }
        ForwardProfile.measure(.downProduct) {
            if let post = w.postFfnNorm {
                w.down.apply(s.hidden, rows: n, into: s.proj, scratch: q)
                addNormalized(s.proj, weight: post, into: s.x, tokens: n)
            } else {
                w.down.apply(s.hidden, rows: n, into: s.x, accumulate: true, scratch: q)
            }
        }
    }

    /// x[t] += RMSNorm(y[t]) — gemma3's sandwich norm before the residual add (y is overwritten).
    private func addNormalized(_ y: UnsafeMutablePointer<Float>, weight: UnsafePointer<Float>,
                               into x: UnsafeMutablePointer<Float>, tokens n: Int) {
        let dim = config.dim
        Parallel.forRanges(n, costPerItem: dim * 2, AddNormalized(
            y: y, weight: weight, eps: config.normEps, x: x, dim: dim))
    }
}

/// Logits after each entry's last token: `count` rows of `vocabSize` floats. A view into the cache's
/// scratch memory, valid until the next forward pass on that cache.
public struct Logits {
    public let count: Int
    public let vocabSize: Int
    let base: UnsafePointer<Float>
    let owner: KVCache

    public subscript(i: Int) -> UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(start: base + i * vocabSize, count: vocabSize)
    }

    /// Greedy choice for entry i (lowest id on ties, like torch.argmax).
    public func argmax(_ i: Int) -> Int32 { Int32(VectorOps.argmax(base + i * vocabSize, vocabSize)) }

    /// A copy of entry i's logits.
    public func array(_ i: Int) -> [Float] { Array(self[i]) }
}

/// A failed check of API use. Kept under -Ounchecked (unlike `precondition`), because a bad row or
/// token id would otherwise write outside the cache.
@inline(__always)
func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError(message()) }
}

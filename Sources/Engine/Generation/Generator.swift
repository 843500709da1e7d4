/// Batched greedy generation with a KV cache, and the shared-prefix variant for few-shot prompts.
extension Transformer {
    /// Greedy continuation of each prompt, batched (rows of different lengths behave as a
    /// left-padded batch). A row stops after `maxNewTokens` tokens, at a token in `stopTokenIDs`
    /// (which is not included in its output), or when `stopCondition(row, generatedSoFar)` returns
    /// true after a token (that token is included). Finished rows drop out of the batch.
    /// Prompts must be non-empty. Returns the generated ids per prompt.
    public func generate(prompts: [[Int32]], maxNewTokens: Int, stopTokenIDs: Set<Int32> = [],
                         stopCondition: ((Int, [Int32]) -> Bool)? = nil) -> [[Int32]] {
        guard !prompts.isEmpty else { return [] }
        guard maxNewTokens > 0 else { return prompts.map { _ in [] } }
        let longest = prompts.map(\.count).max()!
        let cache = makeCache(rows: prompts.count, capacity: longest + maxNewTokens)
        let logits = prefill(tokens: prompts, cache: cache)
        let first = (0..<prompts.count).map { logits.argmax($0) }
        return greedyLoop(cache: cache, firstTokens: first, maxNewTokens: maxNewTokens,
                          stopTokenIDs: stopTokenIDs, stopCondition: stopCondition)
    }

    /// Like `generate(prompts:…)` for prompts `prefix.tokens + suffixes[i]`: the prefix's keys and
    /// values, computed once, are shared by every row (read from the prefix's cache, not copied).
    public func generate(prefix: PrefixCache, suffixes: [[Int32]], maxNewTokens: Int,
                         stopTokenIDs: Set<Int32> = [],
                         stopCondition: ((Int, [Int32]) -> Bool)? = nil) -> [[Int32]] {
        check(prefix.model == ObjectIdentifier(self), "generate(prefix:): the prefix was computed by another model")
        guard !suffixes.isEmpty else { return [] }
        guard maxNewTokens > 0 else { return suffixes.map { _ in [] } }
        let p = prefix.tokens.count
        let longest = suffixes.map(\.count).max()!
        let cache = makeCache(rows: suffixes.count, capacity: p + longest + maxNewTokens)
        cache.attachPrefix(prefix.cache, count: p)
        // A row with an empty suffix continues straight from the prefix's own logits.
        let fromPrefix = Int32(VectorOps.argmax(prefix.logits, config.vocabSize))
        var first = [Int32](repeating: fromPrefix, count: suffixes.count)
        let rows = suffixes.indices.filter { !suffixes[$0].isEmpty }
        if !rows.isEmpty {
            let logits = forward(rows.map { suffixes[$0] }, rows: rows, cache: cache)
            for (i, r) in rows.enumerated() { first[r] = logits.argmax(i) }
        }
        return greedyLoop(cache: cache, firstTokens: first, maxNewTokens: maxNewTokens,
                          stopTokenIDs: stopTokenIDs, stopCondition: stopCondition)
    }

    /// Decodes from each row's first generated token until every row has stopped.
    private func greedyLoop(cache: KVCache, firstTokens: [Int32], maxNewTokens: Int,
                            stopTokenIDs: Set<Int32>, stopCondition: ((Int, [Int32]) -> Bool)?) -> [[Int32]] {
        let rows = firstTokens.count
        var outputs = [[Int32]](repeating: [], count: rows)
        for r in 0..<rows { outputs[r].reserveCapacity(maxNewTokens) }
        // Active rows and their next input token; buffers reused by every step.
        let active = UnsafeMutablePointer<Int>.allocate(capacity: rows)
        let next = UnsafeMutablePointer<Int32>.allocate(capacity: rows)
        defer { active.deallocate(); next.deallocate() }
        var activeCount = 0

        /// Records `token` for `row`; returns whether the row goes on.
        func accept(_ row: Int, _ token: Int32) -> Bool {
            if stopTokenIDs.contains(token) { return false }
            outputs[row].append(token)
            if let stop = stopCondition, stop(row, outputs[row]) { return false }
            return outputs[row].count < maxNewTokens
        }
        for r in 0..<rows where accept(r, firstTokens[r]) {
            active[activeCount] = r
            next[activeCount] = firstTokens[r]
            activeCount += 1
        }
        let argmaxes = UnsafeMutablePointer<Int32>.allocate(capacity: rows)
        defer { argmaxes.deallocate() }
        while activeCount > 0 {
            let logits = run(entries: activeCount, cache: cache, row: { active[$0] },
                             count: { _ in 1 }, token: { i, _ in next[i] })
            Parallel.forRanges(activeCount, costPerItem: logits.vocabSize, minimumWork: 1 << 18,
                               ArgmaxRows(logits: logits.base, vocab: logits.vocabSize, out: argmaxes))
            var kept = 0
            for i in 0..<activeCount where accept(active[i], argmaxes[i]) {
                active[kept] = active[i]
                next[kept] = argmaxes[i]
                kept += 1
            }
            activeCount = kept
        }
        return outputs
    }
}

/// out[i] = argmax of logits row i.
private struct ArgmaxRows: RangeRegion {
    let logits: UnsafePointer<Float>, vocab: Int, out: UnsafeMutablePointer<Int32>
    func run(_ range: Range<Int>) {
        for i in range { out[i] = Int32(VectorOps.argmax(logits + i * vocab, vocab)) }
    }
}

/// A prompt prefix shared by many prompts (the k shots of a few-shot prompt), prefilled once.
/// `Transformer.generate(prefix:suffixes:…)` shares its keys and values with every row.
public final class PrefixCache: @unchecked Sendable {
    public let tokens: [Int32]
    let model: ObjectIdentifier
    let cache: KVCache
    /// Logits after the prefix's last token.
    let logits: UnsafeMutablePointer<Float>

    public init(model: Transformer, tokens: [Int32]) {
        check(!tokens.isEmpty, "PrefixCache needs at least one token")
        self.tokens = tokens
        self.model = ObjectIdentifier(model)
        cache = model.makeCache(rows: 1, capacity: tokens.count)
        let out = model.prefill(tokens: [tokens], cache: cache)
        logits = allocateFloats(out.vocabSize)
        logits.update(from: out[0].baseAddress!, count: out.vocabSize)
        // Only the keys and values are needed from now on.
        cache.scratch.freeTokenBuffers()
    }

    deinit { logits.deallocate() }
}

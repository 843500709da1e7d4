/// Greedy generation with continuous batching: up to `width` rows decode together, and a row that
/// finishes (stop token, stop condition, max tokens) is refilled with the next pending prompt in
/// the very next forward pass — its prompt is prefilled in the same pass as the other rows' decode
/// tokens — so the batch stays full instead of waiting for its longest row.
///
/// An example's tokens do not depend on its neighbours, its slot, or the order of the prompts:
/// every product of the forward pass has a fixed per-row summation order (QuantKernels), a prompt
/// is always prefilled as one segment (a step admits a prompt only if it fits the step's chunk
/// whole), and a refilled slot starts from an empty row. (This holds whenever
/// `Transformer.orderedProducts` is true — always for quantized weights; fp32 weights through
/// OpenBLAS vary with the row count.)
public struct ContinuousBatch {
    /// A finished example: its index in `prompts` and its generated ids (stop token excluded).
    public typealias Finished = (_ index: Int, _ generated: [Int32]) -> Void

    public let width: Int
    public let maxNewTokens: Int
    public let stopTokenIDs: Set<Int32>

    public init(width: Int, maxNewTokens: Int, stopTokenIDs: Set<Int32>) {
        precondition(width > 0 && maxNewTokens > 0, "ContinuousBatch needs width > 0 and maxNewTokens > 0")
        self.width = width
        self.maxNewTokens = maxNewTokens
        self.stopTokenIDs = stopTokenIDs
    }

    /// Generates a continuation of every prompt (of `prefix.tokens + prompts[i]` when a shared
    /// prefix is given; a prompt may then be empty), calling `finished` as each one ends, in the
    /// order they end. `stopCondition(index, generatedSoFar)` is asked after each token (that token
    /// is kept). `shouldStop` is polled before every step; when it says stop, rows in flight are
    /// dropped and the outcome says so (their examples were not reported). `chunkTokens` bounds
    /// the tokens of one forward pass (tests lower it).
    @discardableResult
    public func run(model: Transformer, prompts: [[Int32]], prefix: PrefixCache? = nil,
                    stopCondition: (Int, [Int32]) -> Bool = { _, _ in false },
                    shouldStop: () -> Bool = { false }, chunkTokens: Int? = nil, finished: Finished) -> Outcome {
        guard !prompts.isEmpty else { return Outcome(completed: true, steps: 0, kvCachePeakBytes: 0) }
        if let prefix { check(prefix.model == ObjectIdentifier(model), "ContinuousBatch: the prefix was computed by another model") }
        let p = prefix?.tokens.count ?? 0
        for (i, t) in prompts.enumerated() where t.isEmpty && prefix == nil {
            check(false, "ContinuousBatch: prompt \(i) is empty")
        }
        let longest = prompts.map(\.count).max()!
        let rows = min(width, prompts.count)
        let cache = model.makeCache(rows: rows, capacity: p + longest + maxNewTokens)
        if let prefix { cache.attachPrefix(prefix.cache, count: p) }
        if let chunkTokens { cache.scratch.maxChunkTokens = max(chunkTokens, rows + 1) }
        let chunk = cache.scratch.maxChunkTokens

        var slotExample = [Int](repeating: -1, count: rows)   // -1: free
        var outputs = [[Int32]](repeating: [], count: rows)
        var nextToken = [Int32](repeating: 0, count: rows)
        var pending = 0, active = 0
        // One step's entries (slot, and the prompt it prefills or -1 for a decode token), reused.
        var entrySlot = [Int](repeating: 0, count: rows), entryPrompt = [Int](repeating: -1, count: rows)
        var entries = 0

        /// Records `token` for the example in `slot`; returns whether it goes on.
        func accept(_ slot: Int, _ token: Int32) -> Bool {
            if stopTokenIDs.contains(token) { return false }
            outputs[slot].append(token)
            if stopCondition(slotExample[slot], outputs[slot]) { return false }
            return outputs[slot].count < maxNewTokens
        }
        func take(_ slot: Int, _ token: Int32) {
            if accept(slot, token) { nextToken[slot] = token; return }
            finished(slotExample[slot], outputs[slot])
            slotExample[slot] = -1
            outputs[slot] = []
            outputs[slot].reserveCapacity(maxNewTokens)
            cache.resetRow(slot)
            active -= 1
        }
        for slot in 0..<rows { outputs[slot].reserveCapacity(maxNewTokens) }
        /// Gives the next pending example the free `slot`; returns its index.
        func start(_ slot: Int) -> Int {
            slotExample[slot] = pending
            active += 1
            pending += 1
            return pending - 1
        }

        var steps = 0
        func outcome(_ completed: Bool) -> Outcome {
            Outcome(completed: completed, steps: steps, kvCachePeakBytes: cache.peakBytes + (prefix?.cache.peakBytes ?? 0))
        }
        while pending < prompts.count || active > 0 {
            if shouldStop() { return outcome(false) }
            entries = 0
            for slot in 0..<rows where slotExample[slot] >= 0 {
                entrySlot[entries] = slot
                entryPrompt[entries] = -1
                entries += 1
            }
            var budget = chunk - entries
            // Refill free slots, as long as each new prompt fits the step's chunk whole.
            for slot in 0..<rows where slotExample[slot] < 0 && pending < prompts.count {
                let n = prompts[pending].count
                if n == 0, let prefix {
                    // An empty suffix continues from the prefix's own logits.
                    _ = start(slot)
                    take(slot, Int32(VectorOps.argmax(prefix.logits, model.config.vocabSize)))
                    continue
                }
                if n > chunk - rows {
                    // Too long to share a step: prefilled alone now, in its own forward pass (so
                    // chunked the same way whatever else is running).
                    let example = start(slot)
                    let logits = model.run(entries: 1, cache: cache, row: { _ in slot }, count: { _ in n },
                                           token: { _, j in prompts[example][j] })
                    take(slot, logits.argmax(0))
                    continue
                }
                if n > budget { break }
                entrySlot[entries] = slot
                entryPrompt[entries] = start(slot)
                entries += 1
                budget -= n
            }
            guard entries > 0 else { continue }
            let logits = model.run(
                entries: entries, cache: cache, row: { entrySlot[$0] },
                count: { entryPrompt[$0] < 0 ? 1 : prompts[entryPrompt[$0]].count },
                token: { i, j in entryPrompt[i] < 0 ? nextToken[entrySlot[i]] : prompts[entryPrompt[i]][j] })
            steps += 1
            for i in 0..<entries { take(entrySlot[i], logits.argmax(i)) }
        }
        return outcome(true)
    }

    public struct Outcome {
        /// Every prompt finished (false: `shouldStop` ended the run).
        public var completed: Bool
        /// Forward passes.
        public var steps: Int
        /// The most bytes of keys and values held at once (pages in use, shared prefix included).
        public var kvCachePeakBytes: Int
    }
}

/// Keys and values of every layer for a batch of sequences ("rows"), plus the scratch buffers a
/// forward pass over this batch needs. Everything is allocated once per (rows, capacity) shape and
/// reused by every decode step.
///
/// A row stores only its real tokens: position p of row r is cache slot p, counted from the row's
/// first token. Batches are therefore "left-padded" without storing padding: rows of different
/// lengths end together, and each row's attention simply stops at its own length — padding costs
/// neither compute nor a mask.
public final class KVCache: @unchecked Sendable {
    public let rows: Int
    /// Positions per row.
    public let capacity: Int
    let layers: Int, kvHeads: Int, headDim: Int
    /// [layer][row][kvHead][capacity][headDim].
    let keys: UnsafeMutablePointer<Float>
    let values: UnsafeMutablePointer<Float>
    /// Tokens stored per row.
    public internal(set) var lengths: [Int]
    let scratch: ForwardScratch
    /// A prefix every row shares, held once in row 0 of another cache (`attachPrefix`): positions
    /// 0..<prefixLength are read from there, so a batch of few-shot prompts neither copies the
    /// shots' keys and values into each row nor reads them once per row in a decode step.
    private(set) var prefix: KVCache?
    private(set) var prefixLength = 0

    init(config: ModelConfig, rows: Int, capacity: Int) {
        precondition(rows > 0 && capacity > 0, "KVCache needs rows > 0 and capacity > 0")
        self.rows = rows
        self.capacity = capacity
        layers = config.layers
        kvHeads = config.kvHeads
        headDim = config.headDim
        let count = layers * rows * kvHeads * capacity * headDim
        keys = allocateFloats(count)
        values = allocateFloats(count)
        lengths = Array(repeating: 0, count: rows)
        scratch = ForwardScratch(config: config, rows: rows, capacity: capacity)
    }

    deinit {
        keys.deallocate()
        values.deallocate()
    }

    /// Forgets every row's tokens and any attached prefix (the memory is kept).
    public func reset() {
        for r in 0..<rows { lengths[r] = 0 }
        prefix = nil
        prefixLength = 0
    }

    /// Makes the first `count` positions of `source`'s row 0 the start of every row (which must
    /// all be empty) without copying them: attention reads them from `source`, which this cache
    /// keeps alive. Positions from `count` on are stored here as usual.
    public func attachPrefix(_ source: KVCache, count: Int) {
        precondition(source.layers == layers && source.kvHeads == kvHeads && source.headDim == headDim,
                     "attachPrefix between caches of different models")
        check(count > 0 && count <= source.lengths[0] && count < capacity,
              "attachPrefix: \(count) positions requested, source has \(source.lengths[0]), capacity \(capacity)")
        check(lengths.allSatisfy { $0 == 0 }, "attachPrefix: the cache is not empty")
        prefix = source
        prefixLength = count
        for r in 0..<rows { lengths[r] = count }
        scratch.reserveSharedScores(rows: rows, capacity: capacity)
    }

    /// Keys (or values) of positions `from..<to` of (layer, row, kvHead), contiguous [n, headDim]:
    /// the range must lie entirely in the shared prefix or entirely in the row's own positions.
    @inline(__always)
    func keys(layer: Int, row: Int, kvHead: Int, from: Int) -> UnsafeMutablePointer<Float> {
        if from < prefixLength, let p = prefix { return p.keys + p.offset(layer: layer, row: 0, kvHead: kvHead) + from * headDim }
        return keys + offset(layer: layer, row: row, kvHead: kvHead) + from * headDim
    }

    @inline(__always)
    func values(layer: Int, row: Int, kvHead: Int, from: Int) -> UnsafeMutablePointer<Float> {
        if from < prefixLength, let p = prefix { return p.values + p.offset(layer: layer, row: 0, kvHead: kvHead) + from * headDim }
        return values + offset(layer: layer, row: row, kvHead: kvHead) + from * headDim
    }

    /// Offset of (layer, row, kvHead, position 0) in `keys`/`values`.
    @inline(__always)
    func offset(layer: Int, row: Int, kvHead: Int) -> Int {
        ((layer * rows + row) * kvHeads + kvHead) * capacity * headDim
    }

    /// Copies the first `count` positions of `source`'s row `sourceRow` into each row in `rows`,
    /// which then hold exactly those positions (the shared-prefix broadcast).
    public func copyPrefix(from source: KVCache, sourceRow: Int = 0, count: Int, into rows: [Int]) {
        precondition(source.layers == layers && source.kvHeads == kvHeads && source.headDim == headDim,
                     "copyPrefix between caches of different models")
        guard count <= source.lengths[sourceRow], count <= capacity else {
            fatalError("copyPrefix: \(count) positions requested, source has \(source.lengths[sourceRow]), capacity \(capacity)")
        }
        Parallel.forRanges(rows.count, costPerItem: layers * kvHeads * count * headDim, minimumWork: 1 << 20,
                           CopyPrefix(source: source, sourceRow: sourceRow, target: self, rows: rows, count: count))
        for r in rows { lengths[r] = count }
    }
}

/// Copies a prefix of one row of `source` into rows of `target`, every layer and KV head.
private struct CopyPrefix: RangeRegion {
    let source: KVCache, sourceRow: Int, target: KVCache, rows: [Int], count: Int
    func run(_ range: Range<Int>) {
        let n = count * target.headDim
        for i in range {
            for l in 0..<target.layers {
                for h in 0..<target.kvHeads {
                    let src = source.offset(layer: l, row: sourceRow, kvHead: h)
                    let dst = target.offset(layer: l, row: rows[i], kvHead: h)
                    (target.keys + dst).update(from: source.keys + src, count: n)
                    (target.values + dst).update(from: source.values + src, count: n)
                }
            }
        }
    }
}

func allocateFloats(_ count: Int) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        .bindMemory(to: Float.self, capacity: max(count, 1))
}

/// Activation buffers of one forward pass, for up to `tokenCapacity` tokens per chunk. They grow
/// (rarely: only a prefill longer than any before) and are never shrunk or reallocated per step.
final class ForwardScratch {
    let config: ModelConfig
    let rows: Int
    let capacity: Int
    /// Tokens per forward chunk; long prefills run in chunks of at most this many tokens, which
    /// bounds the activation buffers (tests lower it to exercise chunking).
    var maxChunkTokens = 1024
    /// Queries per attention work unit in prefill (at most `defaultQueryBlock`).
    var queryBlock = ForwardScratch.defaultQueryBlock
    static let defaultQueryBlock = 64

    private(set) var tokenCapacity = 0
    // Per token: [tokens, width] row-major.
    var x: UnsafeMutablePointer<Float>!        // residual stream [t, dim]
    var normed: UnsafeMutablePointer<Float>!   // [t, dim]
    var qkv: UnsafeMutablePointer<Float>!      // [t, qkvDim]
    var attn: UnsafeMutablePointer<Float>!     // [t, qDim]
    var proj: UnsafeMutablePointer<Float>!     // [t, dim] (sandwich-norm path)
    var gateUp: UnsafeMutablePointer<Float>!   // [t, 2·ffnDim]
    var hidden: UnsafeMutablePointer<Float>!   // [t, ffnDim]
    var ropeCos: UnsafeMutablePointer<Float>!  // [t, headDim/2] for the global base
    var ropeSin: UnsafeMutablePointer<Float>!
    var localCos: UnsafeMutablePointer<Float>! // [t, headDim/2] for the local base (gemma3)
    var localSin: UnsafeMutablePointer<Float>!
    var tokenIDs: UnsafeMutablePointer<Int32>!
    var positions: UnsafeMutablePointer<Int32>!
    var tokenRows: UnsafeMutablePointer<Int32>!

    // Per batch row (allocated once).
    let finalHidden: UnsafeMutablePointer<Float>  // [rows, dim]
    let logits: UnsafeMutablePointer<Float>       // [rows, vocab]
    /// Segments of the current chunk: cache row, first position, token count, first token index.
    let segRow: UnsafeMutablePointer<Int>
    let segStart: UnsafeMutablePointer<Int>
    let segCount: UnsafeMutablePointer<Int>
    let segToken: UnsafeMutablePointer<Int>
    /// For a segment that holds its entry's last token: the entry index (its logits slot), else -1.
    let segEntry: UnsafeMutablePointer<Int>
    /// Attention scores, one block per worker: [max(queryBlock, groupSize) × capacity].
    let scores: UnsafeMutablePointer<Float>
    let scoresPerWorker: Int
    /// Decode over a shared prefix: one [rows × capacity] block per worker (allocated on attach).
    private(set) var sharedScores: UnsafeMutablePointer<Float>?
    private(set) var sharedScoresPerWorker = 0

    init(config: ModelConfig, rows: Int, capacity: Int) {
        self.config = config
        self.rows = rows
        self.capacity = capacity
        finalHidden = allocateFloats(rows * config.dim)
        logits = allocateFloats(rows * config.vocabSize)
        segRow = .allocate(capacity: rows)
        segStart = .allocate(capacity: rows)
        segCount = .allocate(capacity: rows)
        segToken = .allocate(capacity: rows)
        segEntry = .allocate(capacity: rows)
        scoresPerWorker = max(Self.defaultQueryBlock, config.groupSize) * capacity
        scores = allocateFloats(Parallel.cores * scoresPerWorker)
    }

    func reserveSharedScores(rows: Int, capacity: Int) {
        guard sharedScores == nil else { return }
        sharedScoresPerWorker = rows * capacity
        sharedScores = allocateFloats(Parallel.cores * sharedScoresPerWorker)
    }

    /// Makes room for `tokens` tokens per chunk.
    func reserve(tokens: Int) {
        guard tokens > tokenCapacity else { return }
        freeTokenBuffers()
        let c = config, t = tokens, half = c.headDim / 2
        x = allocateFloats(t * c.dim)
        normed = allocateFloats(t * c.dim)
        qkv = allocateFloats(t * c.qkvDim)
        attn = allocateFloats(t * c.qDim)
        proj = allocateFloats(t * c.dim)
        gateUp = allocateFloats(t * 2 * c.ffnDim)
        hidden = allocateFloats(t * c.ffnDim)
        ropeCos = allocateFloats(t * half)
        ropeSin = allocateFloats(t * half)
        localCos = allocateFloats(t * half)
        localSin = allocateFloats(t * half)
        tokenIDs = .allocate(capacity: t)
        positions = .allocate(capacity: t)
        tokenRows = .allocate(capacity: t)
        tokenCapacity = t
    }

    /// Frees the per-token buffers (a later forward reserves them again).
    func freeTokenBuffers() {
        guard tokenCapacity > 0 else { return }
        for p in [x, normed, qkv, attn, proj, gateUp, hidden, ropeCos, ropeSin, localCos, localSin] {
            p!.deallocate()
        }
        tokenIDs.deallocate()
        positions.deallocate()
        tokenRows.deallocate()
        tokenCapacity = 0
    }

    deinit {
        freeTokenBuffers()
        finalHidden.deallocate()
        logits.deallocate()
        segRow.deallocate(); segStart.deallocate(); segCount.deallocate(); segToken.deallocate()
        segEntry.deallocate()
        scores.deallocate()
        sharedScores?.deallocate()
    }
}

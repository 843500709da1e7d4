/// Keys and values of every layer for a batch of sequences ("rows"), plus the scratch buffers a
/// forward pass over this batch needs.
///
/// A row stores only its real tokens: position p of row r is counted from the row's first token.
/// Batches are therefore "left-padded" without storing padding: rows of different lengths end
/// together, and each row's attention simply stops at its own length.
///
/// Memory is paged: positions are held in pages of `pageSize` positions per (row, layer), taken
/// from a pool as a row grows and given back when a row is reset (continuous batching refills a
/// slot) or, on sliding-window layers, once no later query can see them. So the cache holds the
/// tokens actually present, not rows × capacity; `capacity` only bounds a row's length. The pool
/// grows in chunks (never per step once warm) and keeps its high-water mark (`peakBytes`).
/// Attention reads a row's keys page by page (`contiguousRun`).
public final class KVCache: @unchecked Sendable {
    public let rows: Int
    /// Positions a row may hold.
    public let capacity: Int
    let layers: Int, kvHeads: Int, headDim: Int
    /// Positions per page.
    public static let pageSize = 64
    let pagesPerRow: Int
    /// Window of each layer (nil: global), for releasing pages no query can see any more.
    private let windows: [Int?]
    /// [row][layer][page] → page id in `pool`, or -1.
    private let pageTable: UnsafeMutablePointer<Int32>
    private let pool: KVPagePool
    /// Tokens stored per row (including an attached prefix's).
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
        pagesPerRow = (capacity + Self.pageSize - 1) / Self.pageSize
        windows = (0..<config.layers).map { config.window(forLayer: $0) }
        let entries = rows * layers * pagesPerRow
        pageTable = .allocate(capacity: entries)
        pageTable.initialize(repeating: -1, count: entries)
        pool = KVPagePool(pageFloats: 2 * config.kvHeads * Self.pageSize * config.headDim)
        lengths = Array(repeating: 0, count: rows)
        scratch = ForwardScratch(config: config, rows: rows, capacity: capacity)
    }

    deinit { pageTable.deallocate() }

    /// Bytes of keys and values held now, and the most held at once.
    public var heldBytes: Int { pool.pagesInUse * pool.pageFloats * 4 }
    public var peakBytes: Int { pool.peakPages * pool.pageFloats * 4 }

    /// Forgets every row's tokens and any attached prefix (the pages go back to the pool).
    public func reset() {
        prefix = nil
        prefixLength = 0
        for r in 0..<rows { resetRow(r) }
    }

    /// Empties one row, which may then be prefilled again (after an attached prefix, if any).
    public func resetRow(_ r: Int) {
        check(r >= 0 && r < rows, "resetRow: row \(r) out of range")
        let table = pageTable + r * layers * pagesPerRow
        for i in 0..<(layers * pagesPerRow) where table[i] >= 0 {
            pool.release(table[i])
            table[i] = -1
        }
        lengths[r] = prefixLength
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

    /// Makes sure pages exist for positions `from..<to` of `row` in every layer.
    func reservePositions(row: Int, from: Int, to: Int) {
        guard from < to else { return }
        let first = max(from, prefixLength) / Self.pageSize, last = (to - 1) / Self.pageSize
        guard first <= last else { return }
        for l in 0..<layers {
            let table = pageTable + (row * layers + l) * pagesPerRow
            for p in first...last where table[p] < 0 { table[p] = pool.take() }
        }
    }

    /// On sliding-window layers, gives back the row's pages that lie wholly before what a query
    /// at position `lengths[row]` or later can see.
    func releaseUnseen(row: Int) {
        let next = lengths[row]
        for l in 0..<layers {
            guard let w = windows[l] else { continue }
            let firstSeen = AttentionMask.firstVisibleKey(position: next, window: w)
            let table = pageTable + (row * layers + l) * pagesPerRow
            var p = 0
            while (p + 1) * Self.pageSize <= firstSeen {
                if table[p] >= 0 { pool.release(table[p]); table[p] = -1 }
                p += 1
            }
        }
    }

    /// Keys (or values) of (layer, row, kvHead) from position `from` on, contiguous [n, headDim] for
    /// n up to `contiguousRun(from:to:)`: a run never crosses a page or the shared prefix's end.
    @inline(__always)
    func keys(layer: Int, row: Int, kvHead: Int, from: Int) -> UnsafeMutablePointer<Float> {
        if from < prefixLength, let p = prefix { return p.keys(layer: layer, row: 0, kvHead: kvHead, from: from) }
        return page(layer: layer, row: row, position: from) + (kvHead * Self.pageSize + from % Self.pageSize) * headDim
    }

    @inline(__always)
    func values(layer: Int, row: Int, kvHead: Int, from: Int) -> UnsafeMutablePointer<Float> {
        if from < prefixLength, let p = prefix { return p.values(layer: layer, row: 0, kvHead: kvHead, from: from) }
        return page(layer: layer, row: row, position: from)
            + ((kvHeads + kvHead) * Self.pageSize + from % Self.pageSize) * headDim
    }

    /// The end of the contiguous run of positions that starts at `from` (at most `to`).
    @inline(__always)
    func contiguousRun(from: Int, to: Int) -> Int {
        if from < prefixLength, let p = prefix { return min(prefixLength, p.contiguousRun(from: from, to: to)) }
        return min(to, (from / Self.pageSize + 1) * Self.pageSize)
    }

    /// A page: keys [kvHeads][pageSize][headDim], then values in the same layout.
    @inline(__always)
    private func page(layer: Int, row: Int, position: Int) -> UnsafeMutablePointer<Float> {
        let id = pageTable[(row * layers + layer) * pagesPerRow + position / Self.pageSize]
        check(id >= 0, "KVCache: position \(position) of row \(row), layer \(layer) is not held")
        return pool.pointer(id)
    }
}

/// Pages of keys and values, handed out by id and recycled. Memory comes in chunks of
/// `pagesPerChunk` pages, allocated only when every page is in use.
final class KVPagePool {
    let pageFloats: Int
    private let pagesPerChunk = 64
    private var chunks: [UnsafeMutablePointer<Float>] = []
    private var free: [Int32] = []
    private(set) var pagesInUse = 0
    private(set) var peakPages = 0

    init(pageFloats: Int) { self.pageFloats = pageFloats }

    deinit { for c in chunks { c.deallocate() } }

    func take() -> Int32 {
        if free.isEmpty {
            let base = Int32(chunks.count * pagesPerChunk)
            chunks.append(allocateFloats(pagesPerChunk * pageFloats))
            free.reserveCapacity(chunks.count * pagesPerChunk)
            for i in (0..<Int32(pagesPerChunk)).reversed() { free.append(base + i) }
        }
        pagesInUse += 1
        peakPages = max(peakPages, pagesInUse)
        return free.removeLast()
    }

    func release(_ id: Int32) {
        free.append(id)
        pagesInUse -= 1
    }

    @inline(__always)
    func pointer(_ id: Int32) -> UnsafeMutablePointer<Float> {
        let i = Int(id)
        return chunks[i / pagesPerChunk] + (i % pagesPerChunk) * pageFloats
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

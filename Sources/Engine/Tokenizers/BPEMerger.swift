/// Binary min-heap on a 64-bit key with a 64-bit payload: small enough to inline, no closures.
struct BPEHeap {
    private var items: [(key: UInt64, payload: UInt64)] = []

    init(capacity: Int) { items.reserveCapacity(capacity) }

    var isEmpty: Bool { items.isEmpty }

    mutating func push(_ key: UInt64, _ payload: UInt64 = 0) {
        items.append((key, payload))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) >> 1
            if items[parent].key <= items[i].key { break }
            items.swapAt(parent, i)
            i = parent
        }
    }

    mutating func pop() -> (key: UInt64, payload: UInt64)? {
        guard let last = items.popLast() else { return nil }
        guard !items.isEmpty else { return last }
        let top = items[0]
        items[0] = last
        var i = 0
        let n = items.count
        while true {
            let l = 2 * i + 1
            if l >= n { break }
            var m = l
            if l + 1 < n && items[l + 1].key < items[l].key { m = l + 1 }
            if items[i].key <= items[m].key { break }
            items.swapAt(i, m)
            i = m
        }
        return top
    }
}

/// Ranked BPE merges over token ids: repeatedly merge the adjacent pair with the lowest merge rank
/// (leftmost on ties, as Hugging Face does). A linked list over positions plus a heap of candidate
/// pairs makes one word O(n log n); stale heap entries are recognised and dropped when popped.
struct BPEMerger: Sendable {
    /// (left << 32 | right) → (rank << 32 | merged id).
    private let table: [UInt64: UInt64]

    var count: Int { table.count }

    /// `pairs` in rank order (first = merged first). A repeated pair keeps its first rank.
    init(pairs: [(left: Int32, right: Int32, merged: Int32)]) {
        var t = [UInt64: UInt64](minimumCapacity: pairs.count)
        for (rank, p) in pairs.enumerated() {
            let key = Self.key(p.left, p.right)
            if t[key] == nil { t[key] = UInt64(rank) << 32 | UInt64(UInt32(bitPattern: p.merged)) }
        }
        table = t
    }

    @inline(__always)
    static func key(_ l: Int32, _ r: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: l)) << 32 | UInt64(UInt32(bitPattern: r))
    }

    @inline(__always)
    func lookup(_ l: Int32, _ r: Int32) -> (rank: UInt64, merged: Int32)? {
        guard let v = table[Self.key(l, r)] else { return nil }
        return (v >> 32, Int32(bitPattern: UInt32(truncatingIfNeeded: v)))
    }

    /// Merges `ids` in place. Negative ids never merge (callers use them for "no token").
    func merge(_ ids: inout [Int32]) {
        let n = ids.count
        if n < 2 { return }
        if n == 2 {
            if ids[0] >= 0, ids[1] >= 0, let m = lookup(ids[0], ids[1]) { ids = [m.merged] }
            return
        }
        var alive = [Bool](repeating: true, count: n)
        var prev = [Int](unsafeUninitializedCapacity: n) { b, c in for i in 0..<n { b[i] = i - 1 }; c = n }
        var next = [Int](unsafeUninitializedCapacity: n) { b, c in for i in 0..<n { b[i] = i + 1 }; c = n }
        next[n - 1] = -1
        var heap = BPEHeap(capacity: n)
        for i in 0..<(n - 1) where ids[i] >= 0 && ids[i + 1] >= 0 {
            if let m = lookup(ids[i], ids[i + 1]) { heap.push(m.rank << 32 | UInt64(i)) }
        }
        var merges = 0
        while let top = heap.pop() {
            let pos = Int(top.key & 0xFFFF_FFFF)
            let r = next[pos]
            guard alive[pos], r >= 0, ids[r] >= 0, ids[pos] >= 0,
                  let m = lookup(ids[pos], ids[r]), m.rank == top.key >> 32 else { continue }
            ids[pos] = m.merged
            alive[r] = false
            merges += 1
            let rn = next[r]
            next[pos] = rn
            if rn >= 0 { prev[rn] = pos }
            let p = prev[pos]
            if p >= 0, ids[p] >= 0, let ml = lookup(ids[p], ids[pos]) { heap.push(ml.rank << 32 | UInt64(p)) }
            if rn >= 0, ids[rn] >= 0, let mr = lookup(ids[pos], ids[rn]) { heap.push(mr.rank << 32 | UInt64(pos)) }
        }
        guard merges > 0 else { return }
        var out = [Int32]()
        out.reserveCapacity(n - merges)
        for i in 0..<n where alive[i] { out.append(ids[i]) }
        ids = out
    }
}

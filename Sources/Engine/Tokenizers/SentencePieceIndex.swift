import Foundation

/// Piece lookup straight from UTF-8 bytes (open addressing, FNV-1a): the SentencePiece merge loop
/// asks "is this byte span a piece?" for every candidate pair, and building a `String` per question
/// cost more than the merging itself.
struct SentencePieceIndex: Sendable {
    private let bytes: [UInt8]
    private let starts: [Int]
    private let slots: [Int32]  // token id, or -1 for an empty slot
    private let mask: Int

    /// Indexes the tokens for which `include` is true; the first of duplicate spellings wins.
    init(tokens: [String], include: (Int) -> Bool) {
        var bytes: [UInt8] = [], starts: [Int] = [0]
        for t in tokens { bytes += t.utf8; starts.append(bytes.count) }
        var capacity = 16
        while capacity < tokens.count * 2 { capacity <<= 1 }
        var slots = [Int32](repeating: -1, count: capacity)
        let mask = capacity - 1
        bytes.withUnsafeBufferPointer { b in
            for id in tokens.indices where include(id) {
                let s = starts[id], n = starts[id + 1] - s
                var h = Self.hash(b.baseAddress! + s, n) & mask
                while true {
                    let other = slots[h]
                    if other < 0 { slots[h] = Int32(id); break }
                    if Self.equal(b, starts, Int(other), b.baseAddress! + s, n) { break }
                    h = (h + 1) & mask
                }
            }
        }
        self.bytes = bytes
        self.starts = starts
        self.slots = slots
        self.mask = mask
    }

    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in 0..<n { h = (h ^ UInt64(p[i])) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    @inline(__always)
    private static func equal(_ b: UnsafeBufferPointer<UInt8>, _ starts: [Int], _ id: Int,
                              _ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        let s = starts[id]
        guard starts[id + 1] - s == n else { return false }
        return memcmp(b.baseAddress! + s, p, n) == 0
    }

    /// The id of the piece spelled by `n` bytes at `p`.
    func find(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int32? {
        bytes.withUnsafeBufferPointer { b in
            var h = Self.hash(p, n) & mask
            while true {
                let id = slots[h]
                if id < 0 { return nil }
                if Self.equal(b, starts, Int(id), p, n) { return id }
                h = (h + 1) & mask
            }
        }
    }
}

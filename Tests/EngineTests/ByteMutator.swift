import Engine
/// Seeded byte-level mutations for the format fuzzers: generic ones (bit flips, boundary-value
/// overwrites, truncation, extension, splices) and overwrites aimed at known field positions
/// (counts, lengths, offsets) with values chosen to hit limits and overflow paths.
struct ByteMutator {
    var rng: SplitMix64

    /// Values that tend to break size arithmetic, as 64-bit patterns (truncated to the field).
    static func interestingValues(fileSize: Int, current: UInt64) -> [UInt64] {
        let size = UInt64(fileSize)
        return [0, 1, 2, 3, 4, 5, 7, 8, 12, 13, 16, 31, 32, 33, 63, 64, 255, 256, 0x7FFF, 0x8000, 0xFFFF, 0x10000,
                0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 1 << 32, (1 << 32) + 1, 1 << 40, 1 << 61, 1 << 62,
                UInt64(Int64.max), UInt64(Int64.max) - 31, 1 << 63, UInt64.max, UInt64.max - 1,
                size, size &- 1, size &+ 1, size &* 2, size / 2,
                current &+ 1, current &- 1, current &* 2, current &+ 32, current &- 32, current << 8, current >> 1]
    }

    mutating func pick<T>(_ options: [T]) -> T { options[rng.next(below: options.count)] }

    /// Overwrites the `size`-byte little-endian field at `offset` with an interesting value.
    mutating func overwriteField(_ bytes: inout [UInt8], offset: Int, size: Int) {
        guard offset >= 0, offset + size <= bytes.count else { return }
        var current: UInt64 = 0
        for i in 0..<size { current |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        let values = Self.interestingValues(fileSize: bytes.count, current: current)
        let v = rng.next(below: 8) == 0 ? rng.next() : pick(values)
        for i in 0..<size { bytes[offset + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) }
    }

    /// One generic mutation.
    mutating func mutateGeneric(_ bytes: inout [UInt8]) {
        let n = bytes.count
        switch rng.next(below: 8) {
        case 0 where n > 0:  // flip one bit
            bytes[rng.next(below: n)] ^= 1 << UInt8(rng.next(below: 8))
        case 1 where n > 0:  // boundary byte
            bytes[rng.next(below: n)] = pick([0, 1, 0x7F, 0x80, 0xFE, 0xFF, UInt8(truncatingIfNeeded: rng.next())])
        case 2 where n >= 8:  // boundary 4- or 8-byte value at any position
            let size = pick([4, 8])
            overwriteField(&bytes, offset: rng.next(below: n - size + 1), size: size)
        case 3 where n > 0:  // truncate
            bytes.removeLast(1 + rng.next(below: n))
        case 4:  // extend with zeros or random bytes
            let extra = 1 + rng.next(below: 64)
            let zeros = rng.next(below: 2) == 0
            bytes += (0..<extra).map { _ in zeros ? 0 : UInt8(truncatingIfNeeded: rng.next()) }
        case 5 where n > 0:  // insert a few bytes (shifts everything after)
            let at = rng.next(below: n + 1)
            bytes.insert(contentsOf: (0..<(1 + rng.next(below: 16))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: at)
        case 6 where n > 1:  // delete a span
            let at = rng.next(below: n)
            bytes.removeSubrange(at..<min(n, at + 1 + rng.next(below: 16)))
        case 7 where n > 16:  // copy a span over another place
            let len = 1 + rng.next(below: 16)
            let from = rng.next(below: n - len), to = rng.next(below: n - len)
            let chunk = Array(bytes[from..<(from + len)])
            bytes.replaceSubrange(to..<(to + len), with: chunk)
        default:
            if n > 0 { bytes[rng.next(below: n)] &+= 1 }
        }
    }
}

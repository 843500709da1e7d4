/// Small SIMD helpers for the dequantization kernels whose bit-twiddling the optimiser does not
/// vectorise on its own (per-lane bit tests in Q5_0/Q5_1, four interleaved outputs in Q6_K).
/// Loads and stores are unaligned: block fields sit at odd offsets.
enum DequantSIMD {
    /// Entry b spreads the 8 bits of b over 8 bytes, bit k → byte k = 16 if set else 0: the
    /// 5th-bit contribution of 8 consecutive Q5 elements. A table lookup replaces per-lane
    /// variable shifts, which baseline x86-64 (SSE2) does not have.
    static let highBitTable: [UInt64] = (0..<256).map { (b: Int) -> UInt64 in
        var entry: UInt64 = 0
        for k in 0..<8 where (b >> k) & 1 == 1 { entry |= 16 << UInt64(8 * k) }
        return entry
    }

    @inline(__always)
    static func bytes(_ p: UnsafeRawPointer, _ offset: Int) -> SIMD16<UInt8> {
        p.loadUnaligned(fromByteOffset: offset, as: SIMD16<UInt8>.self)
    }

    @inline(__always)
    static func store(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
    }

    @inline(__always)
    static func float(_ v: SIMD16<UInt8>) -> SIMD16<Float> {
        // Through Int32: the signed conversion is one instruction on x86 and exact here.
        SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: v))
    }

    @inline(__always)
    static func float(_ v: SIMD16<UInt32>) -> SIMD16<Float> {
        SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: v))  // values < 2^31: exact
    }

    /// The 32 five-bit values (0...31) of a Q5_0/Q5_1 block: nibbles from `qs`, 5th bits from
    /// `qh` (bit j belongs to element j). `table` is `highBitTable`'s storage.
    @inline(__always)
    static func fiveBit(qs: UnsafeRawPointer, qh: UInt32, table: UnsafePointer<UInt64>) -> (low: SIMD16<Float>, high: SIMD16<Float>) {
        let q = bytes(qs, 0)
        let h0 = unsafeBitCast(SIMD2<UInt64>(table[Int(qh & 0xFF)], table[Int((qh >> 8) & 0xFF)]), to: SIMD16<UInt8>.self)
        let h1 = unsafeBitCast(SIMD2<UInt64>(table[Int((qh >> 16) & 0xFF)], table[Int(qh >> 24)]), to: SIMD16<UInt8>.self)
        return (float((q & 0x0F) | h0), float((q &>> 4) | h1))
    }
}

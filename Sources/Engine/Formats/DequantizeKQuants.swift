/// Dequantization kernels for ggml's 256-element "K" super-blocks, following
/// `dequantize_row_q4_K / q5_K / q6_K` in ggml-quants.c term by term.
///
///     Q4_K  d dmin | scales[12] | qs[128]             (144 bytes)
///     Q5_K  d dmin | scales[12] | qh[32] | qs[128]    (176 bytes)
///     Q6_K  ql[128] | qh[64] | scales[16] int8 | d    (210 bytes)
///
/// Q4_K/Q5_K split the block into 8 sub-blocks of 32 with a 6-bit scale and 6-bit min each,
/// packed into 12 bytes (see `scaleMin`): x = d·sc·q − dmin·m. Q6_K has 16 sub-blocks of 16 with
/// int8 scales: x = d·sc·(q − 32), q's low 4 bits in ql and high 2 bits in qh.
enum KQuantDequantizer {
    /// ggml's `get_scale_min_k4`: scale and min of sub-block `j` (0..<8). Sub-blocks 0–3 use the
    /// low 6 bits of bytes j and j+4; 4–7 combine a nibble of byte j+4 with the top 2 bits of
    /// bytes j−4 (scale) and j (min).
    @inline(__always)
    static func scaleMin(_ j: Int, _ q: UnsafePointer<UInt8>) -> (scale: UInt8, min: UInt8) {
        if j < 4 {
            return (q[j] & 63, q[j + 4] & 63)
        }
        return ((q[j + 4] & 0x0F) | ((q[j - 4] >> 6) << 4),
                (q[j + 4] >> 4) | ((q[j] >> 6) << 4))
    }

    static func q4_K(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ blocks: Int) {
        for b in 0..<blocks {
            let block = src + b * 144
            let d = HalfFloat.load(block, 0)
            let dmin = HalfFloat.load(block, 2)
            let scales = (block + 4).assumingMemoryBound(to: UInt8.self)
            var q = (block + 16).assumingMemoryBound(to: UInt8.self)
            var y = dst + b * 256
            for pair in 0..<4 {  // 64 values per pair of sub-blocks: low nibbles, then high
                let (sc1, m1) = scaleMin(2 * pair, scales)
                let (sc2, m2) = scaleMin(2 * pair + 1, scales)
                let d1 = d * Float(sc1), min1 = dmin * Float(m1)
                let d2 = d * Float(sc2), min2 = dmin * Float(m2)
                for l in 0..<32 { y[l] = d1 * Float(q[l] & 0x0F) - min1 }
                for l in 0..<32 { y[32 + l] = d2 * Float(q[l] >> 4) - min2 }
                q += 32
                y += 64
            }
        }
    }

    static func q5_K(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ blocks: Int) {
        for b in 0..<blocks {
            let block = src + b * 176
            let d = HalfFloat.load(block, 0)
            let dmin = HalfFloat.load(block, 2)
            let scales = (block + 4).assumingMemoryBound(to: UInt8.self)
            let qh = (block + 16).assumingMemoryBound(to: UInt8.self)
            var ql = (block + 48).assumingMemoryBound(to: UInt8.self)
            var y = dst + b * 256
            var u1: UInt8 = 1, u2: UInt8 = 2  // qh bit holding the 5th bit of this pair's values
            for pair in 0..<4 {
                let (sc1, m1) = scaleMin(2 * pair, scales)
                let (sc2, m2) = scaleMin(2 * pair + 1, scales)
                let d1 = d * Float(sc1), min1 = dmin * Float(m1)
                let d2 = d * Float(sc2), min2 = dmin * Float(m2)
                for l in 0..<32 {
                    let q = (ql[l] & 0x0F) + (qh[l] & u1 != 0 ? 16 : 0)
                    y[l] = d1 * Float(q) - min1
                }
                for l in 0..<32 {
                    let q = (ql[l] >> 4) + (qh[l] & u2 != 0 ? 16 : 0)
                    y[32 + l] = d2 * Float(q) - min2
                }
                ql += 32
                y += 64
                u1 <<= 2
                u2 <<= 2
            }
        }
    }

    static func q6_K(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ blocks: Int) {
        for b in 0..<blocks {
            let block = src + b * 210
            let sc = (block + 192).assumingMemoryBound(to: Int8.self)
            let d = HalfFloat.load(block, 208)
            for half in 0..<2 {  // two halves of 128 values: ql 64 bytes, qh 32 bytes, 8 scales
                let ql = block + 64 * half, qh = block + 128 + 32 * half
                let y = dst + b * 256 + 128 * half
                for l0 in stride(from: 0, to: 32, by: 16) {  // 16 lanes share each scale
                    let a = SIMD16<UInt32>(truncatingIfNeeded: DequantSIMD.bytes(ql, l0))
                    let c = SIMD16<UInt32>(truncatingIfNeeded: DequantSIMD.bytes(ql, l0 + 32))
                    let h = SIMD16<UInt32>(truncatingIfNeeded: DequantSIMD.bytes(qh, l0))
                    let q1 = (a & 0x0F) | ((h & 3) &<< 4)
                    let q2 = (c & 0x0F) | (((h &>> 2) & 3) &<< 4)
                    let q3 = (a &>> 4) | (((h &>> 4) & 3) &<< 4)
                    let q4 = (c &>> 4) | (((h &>> 6) & 3) &<< 4)
                    let s = 8 * half + l0 / 16
                    // ggml: d * sc * (q − 32), i.e. (d·sc) first; q − 32 is exact in float.
                    DequantSIMD.store((d * Float(sc[s])) * (DequantSIMD.float(q1) - 32), y + l0)
                    DequantSIMD.store((d * Float(sc[s + 2])) * (DequantSIMD.float(q2) - 32), y + l0 + 32)
                    DequantSIMD.store((d * Float(sc[s + 4])) * (DequantSIMD.float(q3) - 32), y + l0 + 64)
                    DequantSIMD.store((d * Float(sc[s + 6])) * (DequantSIMD.float(q4) - 32), y + l0 + 96)
                }
            }
        }
    }
}

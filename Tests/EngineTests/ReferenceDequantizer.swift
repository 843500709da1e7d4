@testable import Engine

/// A deliberately slow, per-element re-statement of ggml's block formulas, written from the
/// block layouts independently of the engine's loop kernels: element `i` is located by index
/// arithmetic and decoded on its own. Tests compare the engine's output against it.
enum ReferenceDequantizer {
    static func half(_ b: [UInt8], _ at: Int) -> Float {
        Float(Float16(bitPattern: UInt16(b[at]) | UInt16(b[at + 1]) << 8))
    }

    static func u32(_ b: [UInt8], _ at: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(b[at + $1]) << (8 * $1) }
    }

    /// Element `i` of data `b` (the tensor's bytes from its start) of type `type`.
    static func value(_ type: GGMLType, _ b: [UInt8], _ i: Int) -> Float {
        let block = i / type.blockSize, k = i % type.blockSize
        let o = block * type.bytesPerBlock
        switch type {
        case .f32:
            return Float(bitPattern: u32(b, o))
        case .f16:
            return half(b, o)
        case .bf16:
            return Float(bitPattern: (UInt32(b[o]) | UInt32(b[o + 1]) << 8) << 16)
        case .q8_0:
            return half(b, o) * Float(Int8(bitPattern: b[o + 2 + k]))
        case .q4_0, .q4_1:
            let qs = o + (type == .q4_0 ? 2 : 4)
            let nibble = k < 16 ? b[qs + k] & 15 : b[qs + k - 16] >> 4
            return type == .q4_0 ? Float(Int(nibble) - 8) * half(b, o)
                                 : Float(nibble) * half(b, o) + half(b, o + 2)
        case .q5_0, .q5_1:
            let qhAt = o + (type == .q5_0 ? 2 : 4)
            let qs = qhAt + 4
            let nibble = k < 16 ? b[qs + k] & 15 : b[qs + k - 16] >> 4
            let high = (u32(b, qhAt) >> UInt32(k)) & 1   // element k's 5th bit is bit k of qh
            let q = Int(nibble) | Int(high) << 4
            return type == .q5_0 ? Float(q - 16) * half(b, o)
                                 : Float(q) * half(b, o) + half(b, o + 2)
        case .q4_K, .q5_K:
            let sub = k / 32, l = k % 32          // 8 sub-blocks of 32
            let (sc, m) = scaleMin(Array(b[(o + 4)..<(o + 16)]), sub)
            let qs = o + (type == .q4_K ? 16 : 48)
            let byte = b[qs + (sub / 2) * 32 + l]  // a pair of sub-blocks shares 32 bytes
            var q = Int(sub % 2 == 0 ? byte & 15 : byte >> 4)
            if type == .q5_K { q |= Int((b[o + 16 + l] >> UInt8(sub)) & 1) << 4 }
            return half(b, o) * Float(sc) * Float(q) - half(b, o + 2) * Float(m)
        case .q6_K:
            let halfIndex = k / 128, r = k % 128, quarter = r / 32, l = r % 32
            let qlByte = b[o + halfIndex * 64 + l + (quarter % 2) * 32]
            let low = quarter < 2 ? qlByte & 15 : qlByte >> 4
            let qhByte = b[o + 128 + halfIndex * 32 + l]
            let q = Int(low) | Int((qhByte >> UInt8(2 * quarter)) & 3) << 4
            let scale = Int8(bitPattern: b[o + 192 + halfIndex * 8 + l / 16 + 2 * quarter])
            return half(b, o + 208) * Float(scale) * Float(q - 32)
        default:
            fatalError("no reference for \(type)")
        }
    }

    /// 6-bit scale and min of sub-block `j` from the 12 packed bytes: bytes 0–3 hold scales
    /// 0–3 in their low 6 bits and the top 2 bits of scales 4–7; bytes 4–7 likewise for mins;
    /// bytes 8–11 hold the low 4 bits of scale (low nibble) and min (high nibble) 4–7.
    static func scaleMin(_ s: [UInt8], _ j: Int) -> (Int, Int) {
        if j < 4 { return (Int(s[j] & 63), Int(s[j + 4] & 63)) }
        let scale = Int(s[j + 4] & 15) | Int(s[j - 4] >> 6) << 4
        let min = Int(s[j + 4] >> 4) | Int(s[j] >> 6) << 4
        return (scale, min)
    }
}

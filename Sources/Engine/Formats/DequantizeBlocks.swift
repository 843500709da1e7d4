/// Dequantization kernels for ggml's scalar types and 32-element block quantizations.
///
/// Each kernel turns `blocks` consecutive blocks at `src` into `blocks × blockSize` floats at
/// `dst`, following ggml's `dequantize_row_*` (ggml-quants.c) term by term so results match it
/// bit for bit. Block layouts (little-endian, d/m are IEEE halves):
///
///     Q8_0  d | qs[32] int8                      x = d·q
///     Q4_0  d | qs[16] (low nibbles: 0..15, high: 16..31)        x = d·(q − 8)
///     Q4_1  d m | qs[16]                         x = d·q + m
///     Q5_0  d | qh u32 | qs[16]   5th bit of element j is bit j of qh      x = d·(q − 16)
///           (ggml writes (q−16) as an int then converts; here q−16 is done in float: exact
///           for these small integers, so the result is the same)
///     Q5_1  d m | qh u32 | qs[16]                x = d·q + m
///
/// Fixed-length inner loops over raw pointers let the optimiser vectorise them.
enum BlockDequantizer {
    static func f32(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        // memcpy: the source may be only 1-, 2- or 4-byte aligned, depending on general.alignment.
        UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: count * 4)
    }

    static func f16(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        for i in 0..<count { dst[i] = HalfFloat.load(src, 2 * i) }
    }

    static func bf16(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        for i in 0..<count {
            dst[i] = HalfFloat.bf16ToFloat(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
        }
    }

    static func q8_0(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ blocks: Int) {
        for b in 0..<blocks {
            let block = src + b * 34
            let d = HalfFloat.load(block, 0)
            let qs = (block + 2).assumingMemoryBound(to: Int8.self)
            let y = dst + b * 32
            for j in 0..<32 { y[j] = Float(qs[j]) * d }
        }
    }

    static func q4_0(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ blocks: Int) {
        for b in 0..<blocks {
            let block = src + b * 18
            let d = HalfFloat.load(block, 0)
            let qs = (block + 2).assumingMemoryBound(to: UInt8.self)
            let y = dst + b * 32
            for j in 0..<16 {
                y[j] = Float(Int32(qs[j] & 0x0F) - 8) * d
                y[j + 16] = Float(Int32(qs[j] >> 4) - 8) * d
            }
        }
    }

    static func q4_1(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ blocks: Int) {
        for b in 0..<blocks {
            let block = src + b * 20
            let d = HalfFloat.load(block, 0)
            let m = HalfFloat.load(block, 2)
            let qs = (block + 4).assumingMemoryBound(to: UInt8.self)
            let y = dst + b * 32
            for j in 0..<16 {
                y[j] = Float(qs[j] & 0x0F) * d + m
                y[j + 16] = Float(qs[j] >> 4) * d + m
            }
        }
    }

    static func q5_0(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ blocks: Int) {
        DequantSIMD.highBitTable.withUnsafeBufferPointer { table in
            for b in 0..<blocks {
                let block = src + b * 22
                let d = HalfFloat.load(block, 0)
                let qh = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 2, as: UInt32.self))
                let (low, high) = DequantSIMD.fiveBit(qs: block + 6, qh: qh, table: table.baseAddress!)
                let y = dst + b * 32
                DequantSIMD.store((low - 16) * d, y)
                DequantSIMD.store((high - 16) * d, y + 16)
            }
        }
    }

    static func q5_1(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ blocks: Int) {
        DequantSIMD.highBitTable.withUnsafeBufferPointer { table in
            for b in 0..<blocks {
                let block = src + b * 24
                let d = HalfFloat.load(block, 0)
                let m = HalfFloat.load(block, 2)
                let qh = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
                let (low, high) = DequantSIMD.fiveBit(qs: block + 8, qh: qh, table: table.baseAddress!)
                let y = dst + b * 32
                DequantSIMD.store(low * d + m, y)
                DequantSIMD.store(high * d + m, y + 16)
            }
        }
    }
}

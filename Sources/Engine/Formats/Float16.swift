/// Conversions from the 16-bit float formats found in model files to `Float`.
///
/// Half → float is done with integer arithmetic (F. Giesen's "half_to_float_fast5") rather than
/// `Float(Float16)`: on x86_64 without F16C the latter is a library call per value, and this
/// version is exact for every one of the 65536 inputs (the tests check all of them).
enum HalfFloat {
    @inline(__always)
    static func toFloat(_ h: UInt16) -> Float {
        let shiftedExponent: UInt32 = 0x7C00 << 13
        var o = UInt32(h & 0x7FFF) << 13
        let exponent = o & shiftedExponent
        o &+= (127 - 15) << 23
        if exponent == shiftedExponent {
            o &+= (128 - 16) << 23  // Inf/NaN: exponent all ones
        } else if exponent == 0 {
            // Zero/subnormal: renormalise by letting the FPU subtract the implicit bit.
            o &+= 1 << 23
            o = (Float(bitPattern: o) - Float(bitPattern: 113 << 23)).bitPattern
        }
        return Float(bitPattern: o | (UInt32(h & 0x8000) << 16))
    }

    /// bfloat16 is the top half of an IEEE float32.
    @inline(__always)
    static func bf16ToFloat(_ b: UInt16) -> Float {
        Float(bitPattern: UInt32(b) << 16)
    }

    /// Reads a little-endian half at `offset` bytes from `p` (no alignment needed).
    @inline(__always)
    static func load(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
        toFloat(UInt16(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
    }
}

import Foundation

/// Rotary position embedding.
///
/// Frequencies θᵢ = base^(-2i/d) for i < d/2; position p rotates pair i by the angle p·θᵢ. The angle
/// and its cos/sin are computed in Double and rounded once, so long positions lose no precision.
/// Which two dimensions form pair i depends on the layout (see `RoPELayout`: adjacent pairs for llama
/// GGUFs, whose Q/K rows llama.cpp's converter permuted; half-split for qwen2 and gemma3).
enum RoPE {
    /// Fills cos[t·half + i], sin[t·half + i] for the given positions (half = headDim/2).
    static func fillTable(positions: UnsafePointer<Int32>, count: Int, headDim: Int, base: Double,
                          cos: UnsafeMutablePointer<Float>, sin: UnsafeMutablePointer<Float>) {
        let half = headDim / 2
        for i in 0..<half {
            let theta = Foundation.pow(base, -Double(2 * i) / Double(headDim))
            for t in 0..<count {
                let angle = Double(positions[t]) * theta
                cos[t * half + i] = Float(Foundation.cos(angle))
                sin[t * half + i] = Float(Foundation.sin(angle))
            }
        }
    }

    /// Rotates one head vector `x` (headDim floats) in place with one position's cos/sin row.
    @inline(__always)
    static func apply(_ x: UnsafeMutablePointer<Float>, headDim: Int, layout: RoPELayout,
                      cos: UnsafePointer<Float>, sin: UnsafePointer<Float>) {
        rotate(x, headDim: headDim, layout: layout, cos: cos, sin: sin, direction: 1)
    }

    /// The transpose of `apply` (rotation by the opposite angle): maps dL/d(rotated) to dL/d(input).
    @inline(__always)
    static func applyInverse(_ x: UnsafeMutablePointer<Float>, headDim: Int, layout: RoPELayout,
                             cos: UnsafePointer<Float>, sin: UnsafePointer<Float>) {
        rotate(x, headDim: headDim, layout: layout, cos: cos, sin: sin, direction: -1)
    }

    /// Rotation of each pair (a, b) by the angle whose sine is `direction`·sin: a·c − b·s, a·s + b·c.
    /// `direction` is ±1, so negating the sine is exact and the inverse is the exact transpose.
    @inline(__always)
    private static func rotate(_ x: UnsafeMutablePointer<Float>, headDim: Int, layout: RoPELayout,
                               cos: UnsafePointer<Float>, sin: UnsafePointer<Float>, direction: Float) {
        let half = headDim / 2
        switch layout {
        case .adjacentPairs:
            for i in 0..<half {
                let a = x[2 * i], b = x[2 * i + 1], c = cos[i], s = direction * sin[i]
                x[2 * i] = a * c - b * s
                x[2 * i + 1] = a * s + b * c
            }
        case .halfSplit:
            var i = 0
            while i + 16 <= half {
                let a = load16(x + i), b = load16(x + half + i)
                let c = load16(cos + i), s = direction * load16(sin + i)
                store16(a * c - b * s, x + i)
                store16(a * s + b * c, x + half + i)
                i += 16
            }
            while i < half {
                let a = x[i], b = x[half + i], c = cos[i], s = direction * sin[i]
                x[i] = a * c - b * s
                x[half + i] = a * s + b * c
                i += 1
            }
        }
    }
}

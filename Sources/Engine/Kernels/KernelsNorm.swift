/// RMSNorm: y = x / √(mean(x²) + ε) · w.
///
/// The weight is used exactly as stored. For gemma3 that matters: Hugging Face's Gemma RMSNorm
/// multiplies by (1 + w), and the GGUF converter already stored 1 + w.
enum RMSNorm {
    @inline(__always)
    static func apply(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, eps: Float,
                      into y: UnsafeMutablePointer<Float>, _ n: Int) {
        let inv = 1 / (VectorOps.sumOfSquares(x, n) / Float(n) + eps).squareRoot()
        var i = 0
        while i + 16 <= n {
            store16(load16(x + i) * inv * load16(weight + i), y + i)
            i += 16
        }
        while i < n { y[i] = x[i] * inv * weight[i]; i += 1 }
    }

    /// Normalises `rows` rows of `n` floats (row strides `xStride`, `yStride`), split across cores
    /// when there is enough work. `y` may equal `x`.
    static func rows(_ x: UnsafePointer<Float>, xStride: Int, weight: UnsafePointer<Float>, eps: Float,
                     into y: UnsafeMutablePointer<Float>, yStride: Int, rows: Int, n: Int) {
        Parallel.forRanges(rows, costPerItem: n, Rows(x: x, xStride: xStride, weight: weight, eps: eps,
                                                       y: y, yStride: yStride, n: n))
    }

    private struct Rows: RangeRegion {
        let x: UnsafePointer<Float>, xStride: Int, weight: UnsafePointer<Float>, eps: Float
        let y: UnsafeMutablePointer<Float>, yStride: Int, n: Int
        func run(_ range: Range<Int>) {
            for r in range {
                RMSNorm.apply(x + r * xStride, weight: weight, eps: eps, into: y + r * yStride, n)
            }
        }
    }
}

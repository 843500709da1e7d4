/// SIMD helpers over raw float pointers.
///
/// Rules of codegen that matter here. The package compiles for baseline x86-64 (SSE2, no FMA), so
/// SIMD16<Float> becomes four 128-bit operations — still 4–10× faster than scalar loops. But:
/// - never use `addProduct` / `.fma` on SIMD values: a *fused* multiply-add has no SSE2 instruction
///   and becomes one `fmaf` libm call per lane (≈10× slower than `a += b * c`);
/// - never use `pointwiseMax/Min`, `clamped`, `.max()`, `.sum()` on SIMD floats: their IEEE NaN
///   rules become scalar loops through the stack (or an unspecialised call); `vmax`/`vmin` (a compare
///   and select → maxps/minps) and `hsum`/`hmax` below compile to a few vector instructions.
/// The heavy arithmetic goes to OpenBLAS, which picks AVX-512 kernels at run time.
typealias F16 = SIMD16<Float>

@inline(__always) func vmax(_ a: F16, _ b: F16) -> F16 { a.replacing(with: b, where: a .< b) }
@inline(__always) func vmin(_ a: F16, _ b: F16) -> F16 { a.replacing(with: b, where: b .< a) }

@inline(__always) func hsum(_ v: F16) -> Float {
    let a = v.lowHalf + v.highHalf
    let b = a.lowHalf + a.highHalf
    return (b[0] + b[2]) + (b[1] + b[3])
}

@inline(__always) func hmax(_ v: F16) -> Float {
    let a = vmax8(v.lowHalf, v.highHalf)
    let b = a.lowHalf.replacing(with: a.highHalf, where: a.lowHalf .< a.highHalf)
    let c = b[0] > b[1] ? b[0] : b[1], d = b[2] > b[3] ? b[2] : b[3]
    return c > d ? c : d
}

@inline(__always) private func vmax8(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
    a.replacing(with: b, where: a .< b)
}

@inline(__always) func load16(_ p: UnsafePointer<Float>) -> F16 {
    UnsafeRawPointer(p).loadUnaligned(as: F16.self)
}

@inline(__always) func load16(_ p: UnsafeMutablePointer<Float>) -> F16 {
    UnsafeRawPointer(p).loadUnaligned(as: F16.self)
}

@inline(__always) func store16(_ v: F16, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: F16.self)
}

enum VectorOps {
    /// Σ x[i]².
    @inline(__always)
    static func sumOfSquares(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc0 = F16(), acc1 = F16()
        var i = 0
        while i + 32 <= n {
            let a = load16(x + i), b = load16(x + i + 16)
            acc0 += a * a
            acc1 += b * b
            i += 32
        }
        while i + 16 <= n {
            let a = load16(x + i)
            acc0 += a * a
            i += 16
        }
        var s = hsum(acc0 + acc1)
        while i < n { s += x[i] * x[i]; i += 1 }
        return s
    }

    /// y[i] += x[i].
    @inline(__always)
    static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        while i + 16 <= n {
            store16(load16(y + i) + load16(x + i), y + i)
            i += 16
        }
        while i < n { y[i] += x[i]; i += 1 }
    }

    /// y[i] = x[i] * s.
    @inline(__always)
    static func scale(_ x: UnsafePointer<Float>, by s: Float, into y: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        while i + 16 <= n {
            store16(load16(x + i) * s, y + i)
            i += 16
        }
        while i < n { y[i] = x[i] * s; i += 1 }
    }

    /// max over x[0..<n] (n ≥ 1).
    @inline(__always)
    static func max(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var i = 0
        var m = -Float.infinity
        if n >= 16 {
            var acc = load16(x)
            i = 16
            while i + 16 <= n {
                acc = vmax(acc, load16(x + i))
                i += 16
            }
            m = hmax(acc)
        }
        while i < n { m = Swift.max(m, x[i]); i += 1 }
        return m
    }

    /// Index of the largest element (the first one on ties, like torch.argmax); NaN never wins.
    static func argmax(_ x: UnsafePointer<Float>, _ n: Int) -> Int {
        let m = max(x, n)
        for i in 0..<n where x[i] == m { return i }
        return 0
    }
}

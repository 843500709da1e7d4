import Foundation

/// Exponential-based kernels: a vectorised exp, softmax, and the gated MLP activations.
///
/// libm's `expf` costs ~4 ns per call; a 512-token prefill needs tens of millions of exponentials
/// (softmax and SiLU), so they use a SIMD polynomial instead (relative error < 3e-7 on the range
/// that matters, far below the 1e-3 logit tolerance).
enum Activation {
    /// e^x, Cephes-style: x = n·ln2 + r with |r| ≤ ln2/2, e^r by a degree-6 polynomial, 2^n from
    /// the exponent bits. Inputs are clamped to [-87, 88] (results stay normal and finite).
    @_transparent  // @inline(__always) left it a call (SIMD16 passed through memory)
    static func exp(_ v: F16) -> F16 {
        var x = vmin(vmax(v, F16(repeating: -87)), F16(repeating: 88))
        // Adding 1.5·2²³ rounds t to the nearest integer n and leaves n in the low mantissa bits
        // (round-to-nearest without SSE4.1's roundps).
        let magic: Float = 12_582_912
        let m = x * 1.442_695_04 + magic
        let n = m - magic
        x = x - n * 0.693_359_375
        x = x - n * -2.121_944_4e-4
        var p = F16(repeating: 1.987_569_15e-4)
        p = p * x + 1.398_199_95e-3
        p = p * x + 8.333_451_9e-3
        p = p * x + 4.166_579_59e-2
        p = p * x + 1.666_666_55e-1
        p = p * x + 5.000_000_12e-1
        p = p * (x * x) + x + 1
        let bits = (unsafeBitCast(m, to: SIMD16<Int32>.self) &- 0x4B40_0000 &+ 127) &<< 23
        return p * unsafeBitCast(bits, to: F16.self)
    }

    /// Scalar e^x through the same polynomial (for loop tails, so results do not depend on alignment).
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        exp(F16(repeating: x))[0]
    }

    /// In place: x[i] = exp(x[i] - max) / Σ; returns nothing, n ≥ 1.
    static func softmax(_ x: UnsafeMutablePointer<Float>, _ n: Int) {
        let m = VectorOps.max(x, n)
        var acc = F16()
        var i = 0
        while i + 16 <= n {
            let e = exp(load16(x + i) - m)
            store16(e, x + i)
            acc += e
            i += 16
        }
        var sum = hsum(acc)
        while i < n {
            let e = exp(x[i] - m)
            x[i] = e
            sum += e
            i += 1
        }
        VectorOps.scale(x, by: 1 / sum, into: x, n)
    }

    /// out[i] = act(gate[i]) * up[i] for the gated MLP.
    static func gated(_ kind: MLPActivation, gate: UnsafePointer<Float>, up: UnsafePointer<Float>,
                      into out: UnsafeMutablePointer<Float>, _ n: Int) {
        switch kind {
        case .silu: siluGated(gate: gate, up: up, into: out, n)
        case .geluTanh: geluTanhGated(gate: gate, up: up, into: out, n)
        }
    }

    /// SiLU(g)·u = g·u / (1 + e^-g).
    @inline(__always)
    static func siluGated(gate: UnsafePointer<Float>, up: UnsafePointer<Float>,
                          into out: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        while i + 16 <= n {
            let g = load16(gate + i)
            store16(g * load16(up + i) / (1 + exp(-g)), out + i)
            i += 16
        }
        while i < n {
            let g = gate[i]
            out[i] = g * up[i] / (1 + exp(-g))
            i += 1
        }
    }

    /// GELU-tanh(g)·u. Since ½(1 + tanh(z)) = σ(2z), GELU-tanh(g) = g / (1 + e^(-2z)) with
    /// z = √(2/π)·(g + 0.044715·g³): one exponential, no tanh.
    @inline(__always)
    static func geluTanhGated(gate: UnsafePointer<Float>, up: UnsafePointer<Float>,
                              into out: UnsafeMutablePointer<Float>, _ n: Int) {
        let c: Float = 2 * 0.797_884_560_802_865_4  // 2·√(2/π)
        var i = 0
        while i + 16 <= n {
            let g = load16(gate + i)
            let z = c * (g + 0.044_715 * g * g * g)
            store16(g * load16(up + i) / (1 + exp(-z)), out + i)
            i += 16
        }
        while i < n {
            let g = gate[i]
            let z = c * (g + 0.044_715 * g * g * g)
            out[i] = g * up[i] / (1 + exp(-z))
            i += 1
        }
    }

    /// Reference scalar definitions (tests and documentation).
    static func silu(_ x: Float) -> Float { x / (1 + Foundation.exp(-x)) }
    static func geluTanh(_ x: Float) -> Float {
        0.5 * x * (1 + Foundation.tanh(0.797_884_560_802_865_4 * (x + 0.044_715 * x * x * x)))
    }
}


import Foundation

/// Backward counterparts of the forward kernels (RMSNorm, RoPE, gated activations), row by row.
extension RMSNorm {
    /// For y = x·inv·w with inv = (mean(x²) + ε)^-½:
    /// dx = inv·(w ⊙ dy) − inv³·x·⟨w ⊙ dy, x⟩/n (added to dx when `accumulate`), and
    /// dw += dy ⊙ x·inv when `dw` is given. `dx` may equal `dy`.
    @inline(__always)
    static func backward(_ x: UnsafePointer<Float>, weight w: UnsafePointer<Float>, eps: Float,
                         dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, accumulate: Bool,
                         dw: UnsafeMutablePointer<Float>?, _ n: Int) {
        let inv = 1 / (VectorOps.sumOfSquares(x, n) / Float(n) + eps).squareRoot()
        var acc = F16()
        var i = 0
        while i + 16 <= n {
            acc += load16(w + i) * load16(dy + i) * load16(x + i)
            i += 16
        }
        var dot = hsum(acc)
        while i < n { dot += w[i] * dy[i] * x[i]; i += 1 }
        let k = inv * inv * inv * dot / Float(n)
        i = 0
        while i + 16 <= n {
            let g = load16(dy + i), xv = load16(x + i)
            if let dw { store16(load16(dw + i) + g * xv * inv, dw + i) }
            let d = load16(w + i) * g * inv - xv * k
            store16(accumulate ? load16(dx + i) + d : d, dx + i)
            i += 16
        }
        while i < n {
            let g = dy[i], xv = x[i]
            dw?[i] += g * xv * inv
            let d = w[i] * g * inv - xv * k
            dx[i] = accumulate ? dx[i] + d : d
            i += 1
        }
    }
}

extension Activation {
    /// For h = act(g)·u: dg = dh·u·act′(g), du = dh·act(g).
    /// SiLU: act′ = σ(g)(1 + g(1 − σ(g))). GELU-tanh: act = g·σ(2z), z = √(2/π)(g + 0.044715g³),
    /// act′ = σ(2z) + g·σ(2z)(1 − σ(2z))·2√(2/π)(1 + 3·0.044715g²).
    static func gatedBackward(_ kind: MLPActivation, gate: UnsafePointer<Float>, up: UnsafePointer<Float>,
                              dh: UnsafePointer<Float>, dGate: UnsafeMutablePointer<Float>,
                              dUp: UnsafeMutablePointer<Float>, _ n: Int) {
        let c: Float = 2 * 0.797_884_560_802_865_4
        var i = 0
        // Tails go through a padded SIMD vector so every element takes the same arithmetic.
        while i < n {
            let count = min(16, n - i)
            var g = F16(), u = F16(), d = F16()
            if count == 16 {
                g = load16(gate + i); u = load16(up + i); d = load16(dh + i)
            } else {
                for j in 0..<count { g[j] = gate[i + j]; u[j] = up[i + j]; d[j] = dh[i + j] }
            }
            let act: F16, deriv: F16
            switch kind {
            case .silu:
                let s = 1 / (1 + exp(-g))
                act = g * s
                deriv = s * (1 + g * (1 - s))
            case .geluTanh:
                let g2: F16 = g * g
                let inner: F16 = g + 0.044_715 * g2 * g
                let z: F16 = c * inner
                let s: F16 = 1 / (1 + exp(-z))
                act = g * s
                let dz: F16 = c * (1 + 0.134_145 * g2)
                let sp: F16 = s * (1 - s)
                deriv = s + g * sp * dz
            }
            let dg = d * u * deriv, du = d * act
            if count == 16 {
                store16(dg, dGate + i); store16(du, dUp + i)
            } else {
                for j in 0..<count { dGate[i + j] = dg[j]; dUp[i + j] = du[j] }
            }
            i += 16
        }
    }
}

/// Inverted dropout on the adapter inputs: element (t, i) of projection `key` is kept with
/// probability 1 − p and scaled by 1/(1 − p). The mask is a hash of (seed, key, t, i), so the
/// backward pass regenerates it instead of storing it, and it does not depend on threading.
struct DropoutMask {
    let seed: UInt64
    let threshold: UInt64   // keep when the 16-bit lane ≥ threshold
    let scale: Float

    init(seed: UInt64, p: Float) {
        self.seed = SplitMix64.finalize(seed ^ 0xD5A6_1266_F0C9_392C)
        threshold = UInt64((Double(p) * 65536).rounded())
        scale = p < 1 ? 1 / (1 - p) : 0
    }

    /// Whether element i of row t of projection `key` is kept: lane i % 4 (16 bits) of the hash
    /// of (seed, key, t, i / 4) is at least the threshold. The definition the vector loops follow.
    @inline(__always)
    func keeps(key: Int, token t: Int, _ i: Int) -> Bool {
        let h = SplitMix64.finalize(rowBase(key: key, token: t) ^ UInt64(i >> 2))
        return (h >> UInt64(16 * (i & 3))) & 0xFFFF >= threshold
    }

    /// y[i] = x[i]·mask(key, t, i) for i < n.
    @inline(__always)
    func apply(key: Int, token t: Int, _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, _ n: Int) {
        let base = rowBase(key: key, token: t)
        var i = 0
        while i + 16 <= n {
            let keep = keep16(base, i)
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self) * scale
            UnsafeMutableRawPointer(y + i).storeBytes(of: SIMD16<Float>(repeating: 0).replacing(with: v, where: keep),
                                                      as: SIMD16<Float>.self)
            i += 16
        }
        while i < n { y[i] = keeps(key: key, token: t, i) ? x[i] * scale : 0; i += 1 }
    }

    /// y[i] += x[i]·mask(key, t, i) (dropped elements of y are left exactly as they were).
    @inline(__always)
    func accumulate(key: Int, token t: Int, _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, _ n: Int) {
        let base = rowBase(key: key, token: t)
        var i = 0
        while i + 16 <= n {
            let keep = keep16(base, i)
            let old = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD16<Float>.self)
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self) * scale
            UnsafeMutableRawPointer(y + i).storeBytes(of: old.replacing(with: old + v, where: keep), as: SIMD16<Float>.self)
            i += 16
        }
        while i < n { if keeps(key: key, token: t, i) { y[i] += x[i] * scale }; i += 1 }
    }

    @inline(__always)
    private func rowBase(key: Int, token t: Int) -> UInt64 { seed ^ (UInt64(key) << 52) ^ (UInt64(t) << 24) }

    /// The keep flags of elements i ..< i + 16 (i a multiple of 4): four hashes, each giving four
    /// 16-bit lanes in element order (little-endian lanes of the UInt64), computed side by side.
    @inline(__always)
    private func keep16(_ base: UInt64, _ i: Int) -> SIMDMask<SIMD16<Int32>> {
        var z = SIMD4<UInt64>(repeating: base ^ UInt64(i >> 2)) ^ SIMD4<UInt64>(0, 1, 2, 3)
        z = (z ^ (z &>> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z &>> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z &>> 31
        let lanes = SIMD16<Int32>(truncatingIfNeeded: unsafeBitCast(z, to: SIMD16<UInt16>.self))
        return lanes .>= SIMD16<Int32>(repeating: Int32(threshold))
    }
}

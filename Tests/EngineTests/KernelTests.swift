import XCTest
@testable import Engine

/// Kernels against values computed by hand (or by the textbook formula in Double).
final class KernelTests: XCTestCase {
    func testRMSNormHandComputed() {
        // x = [1, 2, 3, 4]: mean(x²) = 7.5, 1/√(7.5 + 0.5) = 1/√8.
        let x: [Float] = [1, 2, 3, 4], w: [Float] = [1, 0.5, 2, -1]
        var y = [Float](repeating: 0, count: 4)
        RMSNorm.apply(x, weight: w, eps: 0.5, into: &y, 4)
        let inv = 1 / Float(8).squareRoot()
        let expected: [Float] = [1 * inv, 2 * inv * 0.5, 3 * inv * 2, -4 * inv]
        for i in 0..<4 { XCTAssertEqual(y[i], expected[i], accuracy: 1e-6) }
    }

    func testRMSNormLongVectorUsesSIMDAndTail() {
        let n = 37
        let x = (0..<n).map { Float($0) * 0.1 - 1.5 }, w = (0..<n).map { 1 + Float($0) * 0.01 }
        var y = [Float](repeating: 0, count: n)
        RMSNorm.apply(x, weight: w, eps: 1e-6, into: &y, n)
        let ms = x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(n)
        for i in 0..<n {
            XCTAssertEqual(Double(y[i]), Double(x[i]) / (ms + 1e-6).squareRoot() * Double(w[i]), accuracy: 1e-5)
        }
    }

    /// headDim 4, base 100: θ₀ = 1, θ₁ = 100^(-1/2) = 0.1; at position 2 the angles are 2 and 0.2.
    func testRoPEHalfSplit() {
        var x: [Float] = [1, 2, 3, 4]  // pairs (x0, x2) and (x1, x3)
        let (cos, sin) = table(position: 2, headDim: 4, base: 100)
        XCTAssertEqual(cos[0], Float(Foundation.cos(2.0)), accuracy: 1e-7)
        XCTAssertEqual(sin[1], Float(Foundation.sin(0.2)), accuracy: 1e-7)
        RoPE.apply(&x, headDim: 4, layout: .halfSplit, cos: cos, sin: sin)
        let c0 = Foundation.cos(2.0), s0 = Foundation.sin(2.0), c1 = Foundation.cos(0.2), s1 = Foundation.sin(0.2)
        let expected = [1 * c0 - 3 * s0, 2 * c1 - 4 * s1, 1 * s0 + 3 * c0, 2 * s1 + 4 * c1]
        for i in 0..<4 { XCTAssertEqual(Double(x[i]), expected[i], accuracy: 1e-6) }
    }

    func testRoPEAdjacentPairs() {
        var x: [Float] = [1, 2, 3, 4]  // pairs (x0, x1) and (x2, x3)
        let (cos, sin) = table(position: 2, headDim: 4, base: 100)
        RoPE.apply(&x, headDim: 4, layout: .adjacentPairs, cos: cos, sin: sin)
        let c0 = Foundation.cos(2.0), s0 = Foundation.sin(2.0), c1 = Foundation.cos(0.2), s1 = Foundation.sin(0.2)
        let expected = [1 * c0 - 2 * s0, 1 * s0 + 2 * c0, 3 * c1 - 4 * s1, 3 * s1 + 4 * c1]
        for i in 0..<4 { XCTAssertEqual(Double(x[i]), expected[i], accuracy: 1e-6) }
    }

    /// The two layouts agree once the head's dimensions are permuted the way llama.cpp's converter
    /// permutes Q/K rows (HF index j·d/2 + i ↦ GGUF index 2i + j).
    func testRoPELayoutsAgreeUnderLlamaPermutation() {
        let d = 32
        let hf = (0..<d).map { Float(Foundation.sin(Double($0) * 1.3)) }
        var gguf = [Float](repeating: 0, count: d)
        for j in 0..<2 { for i in 0..<(d / 2) { gguf[2 * i + j] = hf[j * d / 2 + i] } }
        let (cos, sin) = table(position: 7, headDim: d, base: 10_000)
        var a = hf, b = gguf
        RoPE.apply(&a, headDim: d, layout: .halfSplit, cos: cos, sin: sin)
        RoPE.apply(&b, headDim: d, layout: .adjacentPairs, cos: cos, sin: sin)
        for j in 0..<2 { for i in 0..<(d / 2) { XCTAssertEqual(b[2 * i + j], a[j * d / 2 + i], accuracy: 1e-6) } }
    }

    func testSoftmaxHandComputed() {
        var x: [Float] = [1, 2, 3]
        Activation.softmax(&x, 3)
        let z = Foundation.exp(1.0) + Foundation.exp(2.0) + Foundation.exp(3.0)
        XCTAssertEqual(Double(x[0]), Foundation.exp(1.0) / z, accuracy: 1e-7)
        XCTAssertEqual(Double(x[1]), Foundation.exp(2.0) / z, accuracy: 1e-7)
        XCTAssertEqual(Double(x[2]), Foundation.exp(3.0) / z, accuracy: 1e-7)
        // Large values must not overflow; a long vector exercises the SIMD path and the tail.
        var y = (0..<21).map { Float($0) * 40 }
        Activation.softmax(&y, 21)
        XCTAssertEqual(y[20], 1, accuracy: 1e-6)
        XCTAssertEqual(y.reduce(0, +), 1, accuracy: 1e-6)
    }

    func testExpAccuracy() {
        var worst = 0.0
        for i in -8000...8000 {
            let x = Float(i) * 0.01
            let rel = abs(Double(Activation.exp(x)) - Foundation.exp(Double(x))) / Foundation.exp(Double(x))
            worst = max(worst, rel)
        }
        XCTAssertLessThan(worst, 3e-7)
        XCTAssertEqual(Activation.exp(Float(-200)) / Float(Foundation.exp(-87.0)), 1, accuracy: 1e-5)  // clamped
        XCTAssertTrue(Activation.exp(Float(200)).isFinite)
    }

    func testSiLUAndGELUTanhHandComputed() {
        // silu(1) = 1/(1+e⁻¹) = 0.7310585786; silu(-2) = -2/(1+e²) = -0.2384058440.
        // gelu_tanh(1) = 0.5·(1 + tanh(0.7978845608·1.044715)) = 0.8411919906;
        // gelu_tanh(-0.5) = -0.1542859010 (PyTorch's gelu(approximate="tanh")).
        let g: [Float] = [1, -2, 1, -0.5], u: [Float] = [1, 1, 2, 1]
        var out = [Float](repeating: 0, count: 4)
        Activation.siluGated(gate: g, up: u, into: &out, 2)
        XCTAssertEqual(out[0], 0.731_058_578_6, accuracy: 1e-6)
        XCTAssertEqual(out[1], -0.238_405_844_0, accuracy: 1e-6)
        Activation.geluTanhGated(gate: Array(g[2...]), up: Array(u[2...]), into: &out, 2)
        XCTAssertEqual(out[0], 2 * 0.841_191_990_6, accuracy: 2e-6)
        XCTAssertEqual(out[1], -0.154_285_901_0, accuracy: 1e-6)
        // The SIMD path against the textbook formulas over a range.
        let n = 200
        let xs = (0..<n).map { Float($0 - 100) * 0.1 }, ones = [Float](repeating: 1, count: n)
        var s = [Float](repeating: 0, count: n), ge = [Float](repeating: 0, count: n)
        Activation.siluGated(gate: xs, up: ones, into: &s, n)
        Activation.geluTanhGated(gate: xs, up: ones, into: &ge, n)
        for i in 0..<n {
            let x = Double(xs[i])
            XCTAssertEqual(Double(s[i]), x / (1 + Foundation.exp(-x)), accuracy: 2e-6)
            XCTAssertEqual(Double(ge[i]), 0.5 * x * (1 + Foundation.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x))), accuracy: 2e-6)
        }
    }

    func testArgmaxFirstOnTies() {
        let x: [Float] = [1, 5, 3, 5, -2]
        XCTAssertEqual(VectorOps.argmax(x, 5), 1)
        let long = (0..<100).map { Float($0 % 17) }
        XCTAssertEqual(VectorOps.argmax(long, 100), 16)
    }

    /// The split and sliced products (1 row → sgemv, few rows → ≤ 64-feature slices and k-parts, many rows →
    /// one sgemm per core) against a Double loop, with strides and accumulation.
    func testLinearMatchesNaiveProduct() {
        for (rows, k, n) in [(1, 96, 200), (3, 64, 1000), (16, 576, 1000), (16, 4864, 80), (32, 1536, 100), (70, 130, 333), (2, 8, 8)] {
            let xStride = k + 3, yStride = n + 5
            let x = (0..<(rows * xStride)).map { Float(Foundation.sin(Double($0) * 0.37)) }
            let w = (0..<(n * k)).map { Float(Foundation.cos(Double($0) * 0.11)) }
            var y = (0..<(rows * yStride)).map { Float($0 % 5) }
            let before = y
            Matmul.linear(x, rows: rows, inFeatures: k, xStride: xStride, weight: w, outFeatures: n,
                          into: &y, yStride: yStride, accumulate: true)
            var worst = 0.0
            for r in 0..<rows {
                for j in 0..<n {
                    var sum = Double(before[r * yStride + j])
                    for i in 0..<k { sum += Double(x[r * xStride + i]) * Double(w[j * k + i]) }
                    worst = max(worst, abs(Double(y[r * yStride + j]) - sum))
                }
                for j in n..<yStride { XCTAssertEqual(y[r * yStride + j], before[r * yStride + j]) }
            }
            XCTAssertLessThan(worst, 1e-3, "rows \(rows), k \(k), n \(n)")
        }
    }

    // MARK: - Masked attention on a hand-computed example

    /// One head of width 2, two rows: row 0 holds one token, row 1 two tokens (so row 0 is the
    /// "padded" one). Row 1's second query sees both of its keys; nothing sees the other row.
    func testMaskedAttentionTwoPositions() {
        let out = runAttention(window: nil)
        // Row 0, position 0: only its own key → its own value.
        XCTAssertEqual(out[0], [5, 6])
        // Row 1, position 0: its own value.
        XCTAssertEqual(out[1], [1, 0])
        // Row 1, position 1: q = (1, 1), keys (1, 0) and (0, 2) → scores 1, 2 (scale 1);
        // p = (1, e)/(1 + e); values (1, 0) and (0, 1).
        let e = Foundation.exp(1.0)
        XCTAssertEqual(Double(out[2][0]), 1 / (1 + e), accuracy: 1e-6)
        XCTAssertEqual(Double(out[2][1]), e / (1 + e), accuracy: 1e-6)
    }

    func testSlidingWindowOfOneSeesOnlyItself() {
        let out = runAttention(window: 1)
        XCTAssertEqual(out[2], [0, 1])
    }

    /// Builds a 1-layer, 1-head cache by hand and runs `Attention.run` on it.
    private func runAttention(window: Int?) -> [[Float]] {
        var config = ModelConfig(family: .llama, vocabSize: 4, dim: 2, layers: 1, heads: 1, kvHeads: 1,
                                 headDim: 2, ffnDim: 2, normEps: 1e-6, ropeBase: 10_000, contextLength: 8,
                                 tiedEmbeddings: true, attentionScale: 1)
        if let window {
            config.slidingWindow = window
            config.globalLayerInterval = nil  // every layer local
        }
        let cache = KVCache(config: config, rows: 2, capacity: 4)
        let s = cache.scratch
        s.reserve(tokens: 3)
        cache.reservePositions(row: 0, from: 0, to: 1)
        cache.reservePositions(row: 1, from: 0, to: 2)
        // Tokens: row 0 pos 0; row 1 pos 0, 1. qkv rows are [q | k | v].
        let qkv: [[Float]] = [[3, 3, 9, 9, 5, 6], [1, 1, 1, 0, 1, 0], [1, 1, 0, 2, 0, 1]]
        let rows = [0, 1, 1], positions = [0, 0, 1]
        for t in 0..<3 {
            for i in 0..<6 { s.qkv[t * 6 + i] = qkv[t][i] }
            let keys = cache.keys(layer: 0, row: rows[t], kvHead: 0, from: positions[t])
            let values = cache.values(layer: 0, row: rows[t], kvHead: 0, from: positions[t])
            for i in 0..<2 {
                keys[i] = qkv[t][2 + i]
                values[i] = qkv[t][4 + i]
            }
        }
        s.segRow[0] = 0; s.segStart[0] = 0; s.segCount[0] = 1; s.segToken[0] = 0
        s.segRow[1] = 1; s.segStart[1] = 0; s.segCount[1] = 2; s.segToken[1] = 1
        Attention.run(layer: 0, config: config, cache: cache, scratch: s, segments: 2)
        return (0..<3).map { t in [s.attn[t * 2], s.attn[t * 2 + 1]] }
    }

    private func table(position: Int32, headDim: Int, base: Double) -> ([Float], [Float]) {
        var cos = [Float](repeating: 0, count: headDim / 2), sin = cos
        var p = position
        RoPE.fillTable(positions: &p, count: 1, headDim: headDim, base: base, cos: &cos, sin: &sin)
        return (cos, sin)
    }
}

/// Peak RSS from /proc/self/status text, including the 10 GB+ form with no padding.
final class PeakRSSParsingTests: XCTestCase {
    func testParsesPaddedAndUnpaddedValues() {
        XCTAssertEqual(EngineBenchmark.peakRSSBytes(status: "Name:\tx\nVmHWM:\t    2256 kB\nVmRSS:\t 2000 kB\n"), 2256 * 1024)
        XCTAssertEqual(EngineBenchmark.peakRSSBytes(status: "VmHWM:\t12345678 kB\n"), 12_345_678 * 1024)
        XCTAssertNil(EngineBenchmark.peakRSSBytes(status: "VmRSS:\t 2000 kB\n"))
        XCTAssertNotNil(EngineBenchmark.peakRSSBytes(), "this test runs on Linux, where /proc/self/status exists")
    }
}

import Foundation
import XCTest
import CBLAS
import QuantKernels
@testable import Engine

/// The C kernels of QuantKernels: dequantization bit-identical to the Swift dequantizers, one
/// summation order (AVX2 = portable, independent of batch, stride and feature range), accuracy
/// against a double-precision reference, and the attention products.
final class QuantKernelTests: XCTestCase {
    static let allTypes: [GGMLType] = [.f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q4_K, .q5_K, .q6_K]

    override func tearDown() {
        ftq_force_portable(0)
        ftq_force_no_avx512(0)
        super.tearDown()
    }

    // MARK: - Helpers

    /// The code paths to compare: portable always, AVX2 where the CPU has it.
    static var paths: [(name: String, portable: Int32)] {
        ftq_force_portable(0)
        return ftq_using_avx2() != 0 ? [("portable", 1), ("avx2", 0)] : [("portable", 1)]
    }

    static func half(_ x: Float) -> [UInt8] {
        let bits = Float16(x).bitPattern
        return [UInt8(bits & 0xFF), UInt8(bits >> 8)]
    }

    /// A positive scale of sensible magnitude (1e-3 … 1e-1, log-uniform) as a half.
    static func scale(_ rng: inout SplitMix64) -> Float {
        Float(1e-3 * pow(100, rng.nextDouble()))
    }

    /// `rows` random but valid rows of `k` elements of `type`: random quant bytes, scales set to
    /// halves of sensible values (no NaN/Inf scales, whose payload rules differ between compilers).
    static func randomRows(_ type: GGMLType, k: Int, rows: Int, _ rng: inout SplitMix64) -> [UInt8] {
        let blocks = rows * k / type.blockSize, size = type.bytesPerBlock
        var bytes = (0..<blocks * size).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        func put(_ at: Int, _ x: Float) { bytes.replaceSubrange(at..<at + 2, with: half(x)) }
        for b in 0..<blocks {
            let o = b * size
            switch type {
            case .f32:
                let v = Float(rng.nextDouble() * 2 - 1)
                bytes.replaceSubrange(o..<o + 4, with: withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) })
            case .f16: put(o, Float(rng.nextDouble() * 2 - 1))
            case .bf16:
                let v = Float(rng.nextDouble() * 2 - 1).bitPattern >> 16
                bytes[o] = UInt8(v & 0xFF); bytes[o + 1] = UInt8(v >> 8)
            case .q4_0, .q5_0, .q8_0: put(o, scale(&rng))
            case .q4_1, .q5_1: put(o, scale(&rng)); put(o + 2, -8 * scale(&rng))
            case .q4_K, .q5_K: put(o, scale(&rng) / 16); put(o + 2, scale(&rng) / 16)
            case .q6_K: put(o + 208, scale(&rng) / 16)
            default: XCTFail("unexpected type \(type)")
            }
        }
        return bytes
    }

    static func randomFloats(_ count: Int, _ rng: inout SplitMix64) -> [Float] {
        (0..<count).map { _ in Float(rng.nextDouble() * 2 - 1) }
    }

    /// The Swift dequantizer's floats for `bytes` (rows of `type`).
    static func swiftDequantize(_ type: GGMLType, _ bytes: [UInt8], elements: Int) -> [Float] {
        var out = [Float](repeating: .nan, count: elements)
        bytes.withUnsafeBytes { src in
            out.withUnsafeMutableBufferPointer { dst in
                XCTAssertTrue(GGMLDequantizer.run(type, src: src.baseAddress!, blocks: elements / type.blockSize,
                                                  dst: dst.baseAddress!))
            }
        }
        return out
    }

    /// ftq_dequantize_row on `bytes` placed at an odd address (GGUF data may be 1-byte aligned).
    static func cDequantize(_ type: GGMLType, _ bytes: [UInt8], k: Int) -> [Float] {
        let shifted = [0] + bytes
        var out = [Float](repeating: .nan, count: k)
        shifted.withUnsafeBytes { src in
            ftq_dequantize_row(Int32(type.rawValue), src.baseAddress! + 1, Int64(k), &out)
        }
        return out
    }

    /// One ftq_matmul call with its own scratch. `w` is read from an odd address.
    static func matmul(_ type: GGMLType, _ w: [UInt8], k: Int, _ x: [Float], ldx: Int, rows: Int,
                       _ j0: Int, _ j1: Int, _ y: inout [Float], ldy: Int, accumulate: Bool) {
        let rowBytes = ftq_row_bytes(Int32(type.rawValue), Int64(k))
        XCTAssertGreaterThan(rowBytes, 0)
        let scratchCount = ftq_matmul_scratch_floats(Int64(k))
        let scratch = aligned_alloc(32, (scratchCount * 4 + 31) / 32 * 32)!.bindMemory(to: Float.self, capacity: scratchCount)
        defer { free(scratch) }
        let shifted = [0] + w
        shifted.withUnsafeBytes { wp in
            ftq_matmul(Int32(type.rawValue), wp.baseAddress! + 1, rowBytes, Int64(k), x, Int64(ldx), Int64(rows),
                       Int64(j0), Int64(j1), &y, Int64(ldy), accumulate ? 1 : 0, scratch)
        }
    }

    static func bits(_ v: [Float]) -> [UInt32] { v.map(\.bitPattern) }

    /// The k values to try for a type: the requested ones its block size divides.
    static func ks(_ type: GGMLType, _ candidates: [Int]) -> [Int] {
        candidates.filter { $0 % type.blockSize == 0 }
    }

    // MARK: - 1. Dequantization = the Swift dequantizers, bit for bit

    func testDequantizeMatchesSwiftBitForBit() {
        var rng = SplitMix64(seed: 1)
        for type in Self.allTypes {
            for path in Self.paths {
                ftq_force_portable(path.portable)
                for k in Self.ks(type, [32, 256, 576, 1536, 2048]) + (type.blockSize == 1 ? [1, 7, 45, 301] : []) {
                    let bytes = Self.randomRows(type, k: k, rows: 1, &rng)
                    let expected = Self.swiftDequantize(type, bytes, elements: k)
                    XCTAssertEqual(Self.bits(Self.cDequantize(type, bytes, k: k)), Self.bits(expected),
                                   "\(type) k=\(k) \(path.name)")
                }
            }
        }
    }

    /// Every half bit pattern (subnormals, ±Inf, signalling and quiet NaNs) and random bf16/f32
    /// bit patterns convert exactly as the Swift code converts them.
    func testScalarTypesConvertEveryBitPatternExactly() {
        var rng = SplitMix64(seed: 2)
        let halves = (0...UInt16.max).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let randomBytes = (0..<4 * 4099).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        for path in Self.paths {
            ftq_force_portable(path.portable)
            let f16 = Self.cDequantize(.f16, halves, k: 65536)
            XCTAssertEqual(Self.bits(f16), Self.bits(Self.swiftDequantize(.f16, halves, elements: 65536)), path.name)
            XCTAssertEqual(f16[0x7C01].bitPattern, 0x7F80_2000, "a signalling NaN stays signalling (\(path.name))")
            XCTAssertEqual(f16[0x0001], 0x1p-24, path.name)
            let bf16 = Self.cDequantize(.bf16, Array(randomBytes.prefix(2 * 8191)), k: 8191)
            XCTAssertEqual(Self.bits(bf16), Self.bits(Self.swiftDequantize(.bf16, Array(randomBytes.prefix(2 * 8191)), elements: 8191)))
            let f32 = Self.cDequantize(.f32, randomBytes, k: 4099)
            XCTAssertEqual(Self.bits(f32), Self.bits(Self.swiftDequantize(.f32, randomBytes, elements: 4099)))
        }
    }

    func testRowBytesAndSupportedTypes() {
        XCTAssertEqual(ftq_row_bytes(Int32(FTQ_Q4_K), 512), 288)
        XCTAssertEqual(ftq_row_bytes(Int32(FTQ_Q8_0), 576), 18 * 34)
        XCTAssertEqual(ftq_row_bytes(Int32(FTQ_F16), 7), 14)
        XCTAssertEqual(ftq_row_bytes(Int32(FTQ_Q6_K), 576), 0, "576 is not a multiple of 256")
        XCTAssertEqual(ftq_row_bytes(9, 64), 0, "Q8_1 is not supported")
        XCTAssertEqual(ftq_type_supported(Int32(FTQ_Q5_1)), 1)
        XCTAssertEqual(ftq_type_supported(10), 0)
        for type in Self.allTypes {
            XCTAssertEqual(ftq_row_bytes(Int32(type.rawValue), Int64(type.blockSize * 3)), 3 * type.bytesPerBlock, "\(type)")
        }
    }

    // MARK: - 2. AVX2 = portable, every shape

    func testMatmulAVX2MatchesPortable() throws {
        ftq_force_portable(0)
        guard ftq_using_avx2() != 0 else { throw XCTSkip("AVX2 kernels not in use (no AVX2/FMA/F16C, or FTLAB_PORTABLE_KERNELS=1)") }
        var rng = SplitMix64(seed: 3)
        let n = 53  // more than one 48-feature panel, and partial panels of every width
        var cases = 0
        for type in Self.allTypes {
            var kList = Self.ks(type, [256, 576, 1536])
            if type == .q4_K { kList.append(4864) }
            if type.blockSize == 1 { kList.append(100) }  // a k that is not a multiple of 8 or 32
            for k in kList {
                let w = Self.randomRows(type, k: k, rows: n, &rng)
                for rows in [1, 2, 3, 4, 5, 7, 8, 9, 11, 14, 17, 64] {
                    let ldx = k + 3, ldy = n + 2
                    let x = Self.randomFloats(rows * ldx, &rng)
                    let start = Self.randomFloats(rows * ldy, &rng)
                    for (j0, j1) in [(0, n), (5, 30), (0, 26), (n - 1, n), (13, 14)] {
                        for accumulate in [false, true] {
                            var portable = start, avx2 = start
                            ftq_force_portable(1)
                            Self.matmul(type, w, k: k, x, ldx: ldx, rows: rows, j0, j1, &portable, ldy: ldy, accumulate: accumulate)
                            ftq_force_portable(0)
                            Self.matmul(type, w, k: k, x, ldx: ldx, rows: rows, j0, j1, &avx2, ldy: ldy, accumulate: accumulate)
                            XCTAssertEqual(Self.bits(avx2), Self.bits(portable),
                                           "\(type) k=\(k) rows=\(rows) j=\(j0)..<\(j1) accumulate=\(accumulate)")
                            XCTAssertNotEqual(Self.bits(avx2), Self.bits(start), "the call wrote nothing")
                            cases += 1
                        }
                    }
                }
            }
        }
        XCTAssertGreaterThan(cases, 1000)
    }

    /// The AVX-512 panel path (two contract accumulators per zmm register, features in pairs) gives
    /// the AVX2 and portable bits: odd panel widths (a pair's missing half), every row remainder,
    /// several k slices (accumulators parked between them), more rows than one row block.
    func testMatmulAVX512MatchesAVX2AndPortable() throws {
        ftq_force_portable(0)
        ftq_force_no_avx512(0)
        guard ftq_using_avx512() != 0 else {
            throw XCTSkip("AVX-512 kernels not in use (no AVX-512 F/DQ/VL on this CPU, or FTLAB_NO_AVX512=1)")
        }
        var rng = SplitMix64(seed: 13)
        let n = 61  // a full 48-feature panel and a 13-wide one (odd: a pair with one feature)
        var cases = 0
        for type in Self.allTypes {
            var kList = Self.ks(type, [256, 1536])
            if type == .q4_K || type == .f32 { kList.append(type == .f32 ? 1001 : 4864) }  // 2 slices (the 2nd with a tail), 10
            if type.blockSize == 1 { kList.append(100) }  // a k that is not a multiple of 8 or 32
            for k in kList {
                let w = Self.randomRows(type, k: k, rows: n, &rng)
                for rows in [9, 13, 14, 15, 16, 33] + (k == kList[0] ? [131] : []) {
                    let ldx = k + 5, ldy = n + 3
                    let x = Self.randomFloats(rows * ldx, &rng)
                    let start = Self.randomFloats(rows * ldy, &rng)
                    for (j0, j1) in [(0, n), (3, 30), (0, 8), (n - 1, n), (7, 16)] {
                        for accumulate in [false, true] {
                            var portable = start, avx2 = start, avx512 = start
                            ftq_force_portable(1)
                            Self.matmul(type, w, k: k, x, ldx: ldx, rows: rows, j0, j1, &portable, ldy: ldy, accumulate: accumulate)
                            ftq_force_portable(0)
                            ftq_force_no_avx512(1)
                            Self.matmul(type, w, k: k, x, ldx: ldx, rows: rows, j0, j1, &avx2, ldy: ldy, accumulate: accumulate)
                            ftq_force_no_avx512(0)
                            Self.matmul(type, w, k: k, x, ldx: ldx, rows: rows, j0, j1, &avx512, ldy: ldy, accumulate: accumulate)
                            let what = "\(type) k=\(k) rows=\(rows) j=\(j0)..<\(j1) accumulate=\(accumulate)"
                            XCTAssertEqual(Self.bits(avx512), Self.bits(portable), what)
                            XCTAssertEqual(Self.bits(avx2), Self.bits(portable), what)
                            XCTAssertNotEqual(Self.bits(avx512), Self.bits(start), "the call wrote nothing")
                            // Outside the feature range nothing changed.
                            for i in 0..<rows {
                                for j in [0, n + 2] where j < j0 || j >= j1 {
                                    XCTAssertEqual(avx512[i * ldy + j].bitPattern, start[i * ldy + j].bitPattern, what)
                                }
                            }
                            cases += 1
                        }
                    }
                }
            }
        }
        XCTAssertGreaterThan(cases, 1000)
    }

    // MARK: - 3. A row's result does not depend on the batch, ldx or the feature range

    func testRowResultIsIndependentOfBatchStrideAndRange() {
        var rng = SplitMix64(seed: 4)
        let k = 768, n = 29, split = 11
        for type in [GGMLType.q4_1, .q8_0, .q4_K, .q6_K, .f16, .f32] {
            let w = Self.randomRows(type, k: k, rows: n, &rng)
            let batch = 9, ldx = k + 13, ldy = n + 5
            let x = Self.randomFloats(batch * ldx, &rng)
            // The same 9 rows repeated inside a batch of 130 (crossing the row blocks of the panel path).
            let big = 130
            var xBig = [Float](repeating: 0, count: big * k)
            for i in 0..<big { for e in 0..<k { xBig[i * k + e] = x[(i % batch) * ldx + e] } }
            for path in Self.paths {
                ftq_force_portable(path.portable)
                var yBatch = [Float](repeating: 0, count: batch * ldy)
                Self.matmul(type, w, k: k, x, ldx: ldx, rows: batch, 0, n, &yBatch, ldy: ldy, accumulate: false)
                var yBig = [Float](repeating: 0, count: big * n)
                Self.matmul(type, w, k: k, xBig, ldx: k, rows: big, 0, n, &yBig, ldy: n, accumulate: false)
                for i in 0..<batch {
                    let xi = Array(x[(i * ldx)..<(i * ldx + k)])
                    var alone = [Float](repeating: 0, count: n)
                    Self.matmul(type, w, k: k, xi, ldx: k, rows: 1, 0, n, &alone, ldy: n, accumulate: false)
                    var halves = [Float](repeating: 0, count: n)
                    Self.matmul(type, w, k: k, xi, ldx: k, rows: 1, 0, split, &halves, ldy: n, accumulate: false)
                    Self.matmul(type, w, k: k, xi, ldx: k, rows: 1, split, n, &halves, ldy: n, accumulate: false)
                    let inBatch = Array(yBatch[(i * ldy)..<(i * ldy + n)])
                    XCTAssertEqual(Self.bits(inBatch), Self.bits(alone), "\(type) row \(i) \(path.name)")
                    XCTAssertEqual(Self.bits(halves), Self.bits(alone), "\(type) row \(i) split \(path.name)")
                    for copy in stride(from: i, to: big, by: batch) {
                        XCTAssertEqual(Self.bits(Array(yBig[(copy * n)..<(copy * n + n)])), Self.bits(alone),
                                       "\(type) row \(copy) of \(big) \(path.name)")
                    }
                }
            }
        }
    }

    // MARK: - 4. Against an independent double-precision reference

    func testMatmulAgreesWithDoubleReference() {
        var rng = SplitMix64(seed: 5)
        let k = 1536, n = 12, rows = 6
        for type in Self.allTypes {
            let w = Self.randomRows(type, k: k, rows: n, &rng)
            let wf = Self.swiftDequantize(type, w, elements: n * k)
            let x = Self.randomFloats(rows * k, &rng)
            for path in Self.paths {
                ftq_force_portable(path.portable)
                var y = [Float](repeating: .nan, count: rows * n)
                Self.matmul(type, w, k: k, x, ldx: k, rows: rows, 0, n, &y, ldy: n, accumulate: false)
                for i in 0..<rows {
                    for j in 0..<n {
                        var sum = 0.0, magnitude = 0.0
                        for e in 0..<k {
                            let p = Double(x[i * k + e]) * Double(wf[j * k + e])
                            sum += p
                            magnitude += abs(p)
                        }
                        XCTAssertLessThanOrEqual(abs(Double(y[i * n + j]) - sum), 1e-5 * magnitude,
                                                 "\(type) (\(i), \(j)) \(path.name)")
                    }
                }
            }
        }
    }

    // MARK: - 5. A value worked out by hand

    func testHandWrittenQ8_0Row() {
        // One block: d = 0.5, qs = 1 … 32; x = all ones: 0.5 · (1 + … + 32) = 0.5 · 528 = 264.
        let block = Self.half(0.5) + (1...32).map { UInt8($0) }
        let x = [Float](repeating: 1, count: 32)
        for path in Self.paths {
            ftq_force_portable(path.portable)
            var y: [Float] = [0]
            Self.matmul(.q8_0, block, k: 32, x, ldx: 32, rows: 1, 0, 1, &y, ldy: 1, accumulate: false)
            XCTAssertEqual(y[0], 264, path.name)
            y = [1000]
            Self.matmul(.q8_0, block, k: 32, x, ldx: 32, rows: 1, 0, 1, &y, ldy: 1, accumulate: true)
            XCTAssertEqual(y[0], 1264, path.name)
        }
    }

    // MARK: - 6. Attention products

    func testScores() {
        var rng = SplitMix64(seed: 6)
        for d in [64, 13, 128] {
            for (m, n) in [(1, 1), (3, 7), (5, 33)] {
                let ldq = d + 3, ldk = d + 5, ldo = n + 2
                let q = Self.randomFloats(m * ldq, &rng), keys = Self.randomFloats(n * ldk, &rng)
                let scale: Float = 0.125
                var results: [[UInt32]] = []
                for path in Self.paths {
                    ftq_force_portable(path.portable)
                    var out = [Float](repeating: -7, count: m * ldo)
                    ftq_scores(q, Int64(ldq), Int64(m), keys, Int64(ldk), Int64(n), Int64(d), scale, &out, Int64(ldo))
                    for i in 0..<m {
                        for j in 0..<n {
                            var sum = 0.0, magnitude = 0.0
                            for e in 0..<d {
                                let p = Double(q[i * ldq + e]) * Double(keys[j * ldk + e])
                                sum += p
                                magnitude += abs(p)
                            }
                            XCTAssertLessThanOrEqual(abs(Double(out[i * ldo + j]) - 0.125 * sum), 1e-5 * 0.125 * magnitude)
                        }
                        XCTAssertEqual(out[i * ldo + n], -7, "wrote past n")
                    }
                    results.append(Self.bits(out))
                }
                if results.count == 2 { XCTAssertEqual(results[0], results[1], "avx2 ≠ portable, d=\(d) m=\(m) n=\(n)") }
            }
        }
    }

    func testWeightedValues() {
        var rng = SplitMix64(seed: 7)
        for d in [64, 13, 40, 100] {
            for (m, n) in [(1, 1), (3, 9), (2, 40)] {
                let ldp = n + 1, ldv = d + 7, ldo = d + 3
                let p = (0..<m * ldp).map { _ in Float(rng.nextDouble()) }
                let v = Self.randomFloats(n * ldv, &rng)
                var results: [[UInt32]] = []
                for path in Self.paths {
                    ftq_force_portable(path.portable)
                    var out = [Float](repeating: -7, count: m * ldo)
                    ftq_weighted_values(p, Int64(ldp), Int64(m), v, Int64(ldv), Int64(n), Int64(d), &out, Int64(ldo), 0)
                    for i in 0..<m {
                        for e in 0..<d {
                            var sum = 0.0, magnitude = 0.0
                            for j in 0..<n {
                                let t = Double(p[i * ldp + j]) * Double(v[j * ldv + e])
                                sum += t
                                magnitude += abs(t)
                            }
                            XCTAssertLessThanOrEqual(abs(Double(out[i * ldo + e]) - sum), 1e-5 * magnitude)
                        }
                        XCTAssertEqual(out[i * ldo + d], -7, "wrote past d")
                    }
                    // Keys split over two calls (the second accumulating) give the same bits.
                    let first = n / 2
                    var split = [Float](repeating: 3, count: m * ldo)
                    ftq_weighted_values(p, Int64(ldp), Int64(m), v, Int64(ldv), Int64(first), Int64(d), &split, Int64(ldo), 0)
                    p.withUnsafeBufferPointer { pp in
                        ftq_weighted_values(pp.baseAddress! + first, Int64(ldp), Int64(m), Array(v[(first * ldv)...]),
                                            Int64(ldv), Int64(n - first), Int64(d), &split, Int64(ldo), 1)
                    }
                    for i in 0..<m {
                        XCTAssertEqual(Self.bits(Array(split[(i * ldo)..<(i * ldo + d)])),
                                       Self.bits(Array(out[(i * ldo)..<(i * ldo + d)])), "split d=\(d) n=\(n) \(path.name)")
                    }
                    results.append(Self.bits(out))
                }
                if results.count == 2 { XCTAssertEqual(results[0], results[1], "avx2 ≠ portable, d=\(d) m=\(m) n=\(n)") }
            }
        }
    }

    // MARK: - 7. Timing (opt-in, release builds)

    /// Prints G weights/s for one row and GFLOP/s for 64 and 512 rows next to cblas_sgemm on the
    /// dequantized matrix. Runs only with FTLAB_KERNEL_BENCH=1.
    func testKernelBenchmark() throws {
        guard ProcessInfo.processInfo.environment["FTLAB_KERNEL_BENCH"] == "1" else {
            throw XCTSkip("set FTLAB_KERNEL_BENCH=1 to time the quantized kernels")
        }
        #if DEBUG
        throw XCTSkip("time release builds only")
        #else
        ftq_force_portable(0)
        openblas_set_num_threads(1)
        print("QuantKernels: avx2 = \(ftq_using_avx2()), avx512 = \(ftq_using_avx512())")
        var rng = SplitMix64(seed: 8)

        func seconds(_ minimum: Double = 0.4, _ body: () -> Void) -> Double {
            body()
            var best = Double.infinity, total = 0.0
            while total < minimum {
                let t0 = DispatchTime.now().uptimeNanoseconds
                body()
                let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
                best = min(best, dt)
                total += dt
            }
            return best
        }

        // One row: a weight set larger than the L3 cache (as a whole 135M model is), k = 576.
        let k1 = 576, n1 = 65536
        for type in [GGMLType.q4_1, .q8_0, .q4_0, .q5_0, .q4_K, .q5_K, .q6_K, .f16] {
            let k = type.blockSize == 256 ? 768 : k1
            let n = n1 * k1 / k
            let w = Self.randomRows(type, k: k, rows: n, &rng)
            let x = Self.randomFloats(k, &rng)
            var y = [Float](repeating: 0, count: n)
            let rowBytes = ftq_row_bytes(Int32(type.rawValue), Int64(k))
            let scratchCount = ftq_matmul_scratch_floats(Int64(k))
            let one = seconds {
                w.withUnsafeBytes { wp in
                    var scratch = [Float](repeating: 0, count: scratchCount)
                    ftq_matmul(Int32(type.rawValue), wp.baseAddress!, rowBytes, Int64(k), x, Int64(k), 1, 0, Int64(n),
                               &y, Int64(n), 0, &scratch)
                }
            }
            // Two cores, each on half of the features (as the engine calls it).
            let wAddress = w.withUnsafeBytes { UInt(bitPattern: $0.baseAddress!) }
            let two = y.withUnsafeMutableBufferPointer { yp -> Double in
                let yAddress = UInt(bitPattern: yp.baseAddress!)
                return seconds {
                    DispatchQueue.concurrentPerform(iterations: 2) { c in
                        var scratch = [Float](repeating: 0, count: scratchCount)
                        let j0 = Int64(c * n / 2), j1 = Int64((c + 1) * n / 2)
                        ftq_matmul(Int32(type.rawValue), UnsafeRawPointer(bitPattern: wAddress)!, rowBytes, Int64(k), x,
                                   Int64(k), 1, j0, j1, UnsafeMutablePointer<Float>(bitPattern: yAddress)!, Int64(n), 0, &scratch)
                    }
                }
            }
            withExtendedLifetime(w) {}
            let weights = Double(n * k)
            print(String(format: "rows=1   %@ %dx%d (%.0f MB): %.2f G weights/s (1 core), %.2f G weights/s (2 cores)",
                         "\(type)", n, k, Double(w.count) / 1e6, weights / one * 1e-9, weights / two * 1e-9))
        }

        // Prefill / batched shapes: GFLOP/s on one core, vs sgemm on the dequantized fp32 matrix.
        for (k, n) in [(576, 1536), (1536, 576), (4864, 896)] {
            for rows in [8, 64, 512] {
                let x = Self.randomFloats(rows * k, &rng)
                var y = [Float](repeating: 0, count: rows * n)
                let flops = 2.0 * Double(rows * n * k)
                var line = "rows=\(rows) k=\(k) n=\(n):"
                let wf = Self.randomFloats(n * k, &rng)
                let tBlas = seconds {
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(n), Int32(k), 1, x, Int32(k),
                                wf, Int32(k), 0, &y, Int32(n))
                }
                line += String(format: " sgemm %.1f", flops / tBlas * 1e-9)
                for type in [GGMLType.f32, .q4_1, .q8_0, .q4_K, .q6_K] where k % type.blockSize == 0 {
                    let w = Self.randomRows(type, k: k, rows: n, &rng)
                    let rowBytes = ftq_row_bytes(Int32(type.rawValue), Int64(k))
                    var scratch = [Float](repeating: 0, count: ftq_matmul_scratch_floats(Int64(k)))
                    func time() -> Double {
                        seconds {
                            ftq_matmul(Int32(type.rawValue), w, rowBytes, Int64(k), x, Int64(k), Int64(rows), 0, Int64(n),
                                       &y, Int64(n), 0, &scratch)
                        }
                    }
                    let t = time()
                    line += String(format: " | %@ %.1f", "\(type)", flops / t * 1e-9)
                    if ftq_using_avx512() != 0 {
                        ftq_force_no_avx512(1)
                        line += String(format: " (avx2 %.1f)", flops / time() * 1e-9)
                        ftq_force_no_avx512(0)
                    }
                }
                print(line + " GFLOP/s")
            }
        }
        #endif
    }
}

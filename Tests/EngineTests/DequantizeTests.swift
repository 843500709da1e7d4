import Foundation
import XCTest
@testable import Engine

/// Dequantization of hand-built blocks, checked against values worked out in the test from each
/// type's formula, and of random blocks against the per-element `ReferenceDequantizer`.
final class DequantizeTests: XCTestCase {
    /// Dequantizes raw `data` of `type` and `shape` through a GGUF image in memory.
    func dequantize(_ type: GGMLType, shape: [Int], _ data: [UInt8]) throws -> [Float] {
        var b = GGUFBuilder(tensors: [.init(name: "t", shape: shape, type: type, data: data)])
        let file = try GGUFFile(data: b.build().data, name: "blocks.gguf")
        return try file.dequantize("t")
    }

    func testF32F16BF16() throws {
        let f32 = [Float(1.5), -2, 0.25, 1e-3]
        XCTAssertEqual(try dequantize(.f32, shape: [4], f32.flatMap(TestBytes.float)), f32)
        let halves: [Float] = [1, -0.5, 65504, 0.099975586]
        XCTAssertEqual(try dequantize(.f16, shape: [4], halves.flatMap(TestBytes.half)), halves)
        // bf16 0x3FC0 = 1.5, 0xC100 = -8
        XCTAssertEqual(try dequantize(.bf16, shape: [2], [0xC0, 0x3F, 0x00, 0xC1]), [1.5, -8])
    }

    func testQ8_0() throws {
        let qs: [Int8] = (0..<32).map { Int8($0 * 8 - 128) }  // -128, -120, …, 120
        let block = TestBytes.half(0.25) + qs.map { UInt8(bitPattern: $0) }
        XCTAssertEqual(try dequantize(.q8_0, shape: [32], block), qs.map { Float($0) * 0.25 })
    }

    func testQ4_0() throws {
        // Byte j holds element j in its low nibble and element j+16 in its high nibble.
        let qs: [UInt8] = (0..<16).map { UInt8($0) | UInt8(15 - $0) << 4 }
        let low: [Float] = (0..<16).map { (j: Int) -> Float in Float(j - 8) * 0.5 }
        let high: [Float] = (0..<16).map { (j: Int) -> Float in Float(7 - j) * 0.5 }
        let expected = low + high
        XCTAssertEqual(try dequantize(.q4_0, shape: [32], TestBytes.half(0.5) + qs), expected)
    }

    func testQ4_1() throws {
        let qs: [UInt8] = (0..<16).map { UInt8($0) | 0xF0 }
        let expected = (0..<16).map { Float($0) * 0.125 + 3 } + Array(repeating: Float(15) * 0.125 + 3, count: 16)
        XCTAssertEqual(try dequantize(.q4_1, shape: [32], TestBytes.half(0.125) + TestBytes.half(3) + qs), expected)
    }

    func testQ5_0AndQ5_1() throws {
        // qh bit j is the 5th bit of element j: set it for every odd element.
        let qh: UInt32 = 0xAAAA_AAAA
        let qhBytes = withUnsafeBytes(of: qh.littleEndian) { Array($0) }
        let qs: [UInt8] = (0..<16).map { UInt8($0 & 15) | UInt8((3 * $0) & 15) << 4 }
        func q(_ j: Int) -> Int {
            let nibble = j < 16 ? j & 15 : (3 * (j - 16)) & 15
            return nibble + (j % 2 == 1 ? 16 : 0)
        }
        let q50 = try dequantize(.q5_0, shape: [32], TestBytes.half(2) + qhBytes + qs)
        XCTAssertEqual(q50, (0..<32).map { Float(q($0) - 16) * 2 })
        let q51 = try dequantize(.q5_1, shape: [32], TestBytes.half(2) + TestBytes.half(-1) + qhBytes + qs)
        XCTAssertEqual(q51, (0..<32).map { Float(q($0)) * 2 - 1 })
    }

    /// Packs eight 6-bit scales and mins the way ggml's Q4_K/Q5_K quantizers do.
    func packScalesMins(_ sc: [UInt8], _ m: [UInt8]) -> [UInt8] {
        var s = [UInt8](repeating: 0, count: 12)
        for j in 0..<8 {
            if j < 4 {
                s[j] = sc[j]; s[j + 4] = m[j]
            } else {
                s[j + 4] = (sc[j] & 0xF) | ((m[j] & 0xF) << 4)
                s[j - 4] |= (sc[j] >> 4) << 6
                s[j] |= (m[j] >> 4) << 6
            }
        }
        return s
    }

    func testQ4_K() throws {
        let sc: [UInt8] = [1, 2, 3, 63, 17, 33, 48, 62], m: [UInt8] = [0, 5, 63, 9, 16, 31, 47, 1]
        // 128 bytes: byte 32p+l holds element 64p+l (low nibble) and 64p+32+l (high nibble).
        let qs: [UInt8] = (0..<128).map { UInt8($0 % 16) | UInt8(($0 / 8) % 16) << 4 }
        let d: Float = 0.5, dmin: Float = 0.25
        let block = TestBytes.half(d) + TestBytes.half(dmin) + packScalesMins(sc, m) + qs
        let expected: [Float] = (0..<256).map { k in
            let sub = k / 32, l = k % 32, byte = Int(qs[(k / 64) * 32 + l])
            let q = sub % 2 == 0 ? byte & 15 : byte >> 4
            return d * Float(sc[sub]) * Float(q) - dmin * Float(m[sub])
        }
        XCTAssertEqual(try dequantize(.q4_K, shape: [256], block), expected)
    }

    func testQ5_K() throws {
        let sc: [UInt8] = [63, 1, 2, 3, 4, 40, 50, 60], m: [UInt8] = [1, 2, 3, 4, 60, 61, 62, 63]
        let qh: [UInt8] = (0..<32).map { UInt8(truncatingIfNeeded: $0 * 37) }  // bit s of byte l: 5th bit of element 32s+l
        let qs: [UInt8] = (0..<128).map { UInt8(truncatingIfNeeded: $0 * 11) }
        let d: Float = 0.125, dmin: Float = 2
        let block = TestBytes.half(d) + TestBytes.half(dmin) + packScalesMins(sc, m) + qh + qs
        let expected: [Float] = (0..<256).map { k in
            let sub = k / 32, l = k % 32, byte = Int(qs[(k / 64) * 32 + l])
            let q = (sub % 2 == 0 ? byte & 15 : byte >> 4) + (Int(qh[l] >> sub) & 1) * 16
            return d * Float(sc[sub]) * Float(q) - dmin * Float(m[sub])
        }
        XCTAssertEqual(try dequantize(.q5_K, shape: [256], block), expected)
    }

    func testQ6_K() throws {
        // Choose each element's 6-bit value and pack it: element 128h + 32c + l has its low
        // nibble in ql[64h + l + 32(c%2)] (low half for c<2, high for c≥2) and its top 2 bits
        // at bits 2c of qh[32h + l]; scale index 8h + 2c + l/16.
        let values: [Int] = (0..<256).map { ($0 * 7 + 3) % 64 }
        var ql = [UInt8](repeating: 0, count: 128), qh = [UInt8](repeating: 0, count: 64)
        for k in 0..<256 {
            let h = k / 128, c = (k % 128) / 32, l = k % 32
            let lo = UInt8(values[k] & 15), hi = UInt8(values[k] >> 4)
            ql[64 * h + l + 32 * (c % 2)] |= c < 2 ? lo : lo << 4
            qh[32 * h + l] |= hi << (2 * c)
        }
        let scales: [Int8] = [-128, -3, 1, 2, 7, 127, 64, -64, 5, 6, 7, 8, -9, -10, 11, 12]
        let d: Float = 0.0625
        let block = ql + qh + scales.map { UInt8(bitPattern: $0) } + TestBytes.half(d)
        let expected: [Float] = (0..<256).map { k in
            let h = k / 128, c = (k % 128) / 32, l = k % 32
            return d * Float(scales[8 * h + 2 * c + l / 16]) * Float(values[k] - 32)
        }
        XCTAssertEqual(try dequantize(.q6_K, shape: [256], block), expected)
    }

    static let supported: [GGMLType] = [.f32, .f16, .bf16, .q8_0, .q4_0, .q4_1, .q5_0, .q5_1, .q4_K, .q5_K, .q6_K]

    func testSupportedTypesAreExactlyTheDocumentedOnes() {
        XCTAssertEqual(Set(GGMLType.allCases.filter(\.isDequantizable)), Set(Self.supported))
    }

    /// Random blocks of every type, large enough (> 65536 floats) to take the multi-threaded
    /// path, agree with the per-element reference everywhere; row ranges agree with the whole.
    func testRandomBlocksMatchReferenceForEveryType() throws {
        var rng = SplitMix64(seed: 42)
        for type in Self.supported {
            let rowLength = 512, rows = 160
            let data = TestBytes.randomBlocks(type, blocks: rows * rowLength / type.blockSize, rng: &rng)
            var b = GGUFBuilder(tensors: [.init(name: "w", shape: [rowLength, rows], type: type, data: data)])
            let file = try GGUFFile(data: b.build().data, name: "random.gguf")
            let all = try file.dequantize("w")
            XCTAssertEqual(all.count, rowLength * rows)
            var mismatches = 0
            for i in 0..<all.count where all[i] != ReferenceDequantizer.value(type, data, i) { mismatches += 1 }
            XCTAssertEqual(mismatches, 0, "\(type)")
            XCTAssertTrue(all.allSatisfy(\.isFinite), "\(type)")

            let info = file.tensor(named: "w")!
            var part = [Float](repeating: 0, count: 3 * rowLength)
            try part.withUnsafeMutableBufferPointer { try file.dequantize(info, rows: 17..<20, into: $0) }
            XCTAssertEqual(part, Array(all[(17 * rowLength)..<(20 * rowLength)]), "\(type)")
        }
    }

    func testUnsupportedTypeThrowsClearly() throws {
        var b = GGUFBuilder(tensors: [.init(name: "iq", shape: [256], type: .iq2_XXS, data: [UInt8](repeating: 0, count: 66))])
        let file = try GGUFFile(data: b.build().data, name: "iq.gguf")
        XCTAssertThrowsError(try file.dequantize("iq")) {
            XCTAssertEqual("\($0)", "iq.gguf: tensor 'iq': dequantizing type IQ2_XXS is not supported")
        }
    }
}

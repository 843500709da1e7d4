import XCTest
@testable import Engine

/// Quantizes known floats with simple reference quantizers (ggml's `quantize_row_q8_0_ref` and
/// `quantize_row_q4_0_ref`, restated) and checks that dequantizing through a GGUF file comes back
/// within the quantization step.
final class QuantizeRoundTripTests: XCTestCase {
    static func quantizeQ8_0(_ x: [Float]) -> (bytes: [UInt8], scales: [Float]) {
        var out: [UInt8] = [], scales: [Float] = []
        for b in stride(from: 0, to: x.count, by: 32) {
            let block = x[b..<(b + 32)]
            let amax = block.map(abs).max()!
            let d = amax / 127
            let id: Float = d != 0 ? 1 / d : 0
            out += TestBytes.half(d)
            out += block.map { UInt8(bitPattern: Int8(($0 * id).rounded())) }
            scales.append(Float(Float16(d)))
        }
        return (out, scales)
    }

    static func quantizeQ4_0(_ x: [Float]) -> (bytes: [UInt8], scales: [Float]) {
        var out: [UInt8] = [], scales: [Float] = []
        for b in stride(from: 0, to: x.count, by: 32) {
            let block = Array(x[b..<(b + 32)])
            let max = block.max { abs($0) < abs($1) }!  // signed value of largest magnitude
            let d = max / -8
            let id: Float = d != 0 ? 1 / d : 0
            let q = block.map { UInt8(min(15, Int8($0 * id + 8.5))) }
            out += TestBytes.half(d)
            out += (0..<16).map { q[$0] | q[$0 + 16] << 4 }
            scales.append(Float(Float16(d)))
        }
        return (out, scales)
    }

    func roundTrip(_ type: GGMLType, _ x: [Float]) throws -> [Float] {
        let bytes = type == .q8_0 ? Self.quantizeQ8_0(x).bytes : Self.quantizeQ4_0(x).bytes
        var b = GGUFBuilder(tensors: [.init(name: "x", shape: [64, x.count / 64], type: type, data: bytes)])
        return try GGUFFile(data: b.build().data, name: "roundtrip.gguf").dequantize("x")
    }

    static func samples(_ n: Int) -> [Float] {
        var rng = SplitMix64(seed: 7)
        return (0..<n).map { i in
            let u = Float(rng.next() % 1_000_000) / 1_000_000 - 0.5
            return i % 97 == 0 ? u * 40 : u  // occasional outliers stretch a block's scale
        }
    }

    func testQ8_0ErrorWithinHalfAStep() throws {
        let x = Self.samples(64 * 100)
        let y = try roundTrip(.q8_0, x)
        let scales = Self.quantizeQ8_0(x).scales
        for i in x.indices {
            let d = abs(scales[i / 32])
            // Half a step, plus the f16 rounding of d applied to |q| ≤ 127.
            XCTAssertLessThanOrEqual(abs(y[i] - x[i]), d * (0.5 + 127.0 / 2048) + 1e-7, "element \(i)")
        }
        // Rounding error in units of the step is ~uniform on [-1/2, 1/2]: RMS ≈ 1/√12 ≈ 0.29.
        let relative = x.indices.map { (y[$0] - x[$0]) / abs(scales[$0 / 32]) }
        let rms = (relative.map { $0 * $0 }.reduce(0, +) / Float(x.count)).squareRoot()
        XCTAssertLessThan(rms, 0.32)
        XCTAssertGreaterThan(rms, 0.25)
    }

    func testQ4_0ErrorWithinOneStep() throws {
        let x = Self.samples(64 * 100)
        let y = try roundTrip(.q4_0, x)
        let scales = Self.quantizeQ4_0(x).scales
        var withinHalfStep = 0
        for i in x.indices {
            let d = abs(scales[i / 32])
            let err = abs(y[i] - x[i])
            // A full step only where the quantizer clamps (a value near −max maps to 16 → 15).
            XCTAssertLessThanOrEqual(err, d * (1 + 8.0 / 2048) + 1e-7, "element \(i)")
            if err <= d * (0.5 + 8.0 / 2048) + 1e-7 { withinHalfStep += 1 }
        }
        // Clamping hits values in the far opposite tail (beyond 15/16 of the max): a few percent.
        XCTAssertGreaterThan(withinHalfStep, x.count * 95 / 100)
    }

    func testExactlyRepresentableValuesSurvive() throws {
        // Multiples of d = 1/8 in [-1, 15/16] with a block maximum of -1 quantize exactly in Q4_0.
        let block: [Float] = [-1] + (1..<32).map { Float(($0 % 16) - 8) / 8 }
        let x = Array(repeating: block, count: 2).flatMap { $0 }
        XCTAssertEqual(try roundTrip(.q4_0, x), x)
        // Integers −127…127 with scale 1 are exact in Q8_0.
        let ints = (0..<64).map { Float(($0 * 37) % 255 - 127) }
        let withMax = [Float(127)] + ints.dropFirst()
        XCTAssertEqual(try roundTrip(.q8_0, withMax), withMax)
    }
}

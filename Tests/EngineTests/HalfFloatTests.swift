import XCTest
@testable import Engine

final class HalfFloatTests: XCTestCase {
    /// The hand-written conversion agrees with the standard library's Float16 on all 65536 inputs.
    func testHalfToFloatIsExactForEveryBitPattern() {
        for bits in 0...UInt16.max {
            let expected = Float(Float16(bitPattern: bits))
            let got = HalfFloat.toFloat(bits)
            if expected.isNaN {
                XCTAssertTrue(got.isNaN, "0x\(String(bits, radix: 16))")
            } else {
                XCTAssertEqual(got.bitPattern, expected.bitPattern, "0x\(String(bits, radix: 16))")
            }
        }
    }

    func testKnownHalves() {
        XCTAssertEqual(HalfFloat.toFloat(0x3C00), 1)
        XCTAssertEqual(HalfFloat.toFloat(0xC000), -2)
        XCTAssertEqual(HalfFloat.toFloat(0x7BFF), 65504)
        XCTAssertEqual(HalfFloat.toFloat(0x0001), 0x1p-24)  // smallest subnormal
        XCTAssertEqual(HalfFloat.toFloat(0x8000).sign, .minus)
        XCTAssertEqual(HalfFloat.toFloat(0x7C00), .infinity)
    }

    func testBFloat16IsTheTopHalfOfAFloat() {
        XCTAssertEqual(HalfFloat.bf16ToFloat(0x3F80), 1)
        XCTAssertEqual(HalfFloat.bf16ToFloat(0xC049), Float(bitPattern: 0xC049_0000))
    }
}

import XCTest
@testable import Engine

/// The adapter dropout's vector loops against its element-by-element definition (`keeps`), and
/// the definition against the rate it is meant to have.
final class DropoutMaskTests: XCTestCase {
    func testVectorLoopsEqualTheDefinitionBitForBit() {
        var rng = SplitMix64(seed: 21)
        for p: Float in [0, 0.05, 0.5, 1] {
            let mask = DropoutMask(seed: 7, p: p)
            for n in [1, 3, 4, 15, 16, 17, 31, 64, 100, 576] {
                for (key, t) in [(0, 0), (3, 1), (6, 511), (2, 4095)] {
                    // -0.0 in y checks that a dropped element is left as it was, not y + 0.
                    let x = (0..<n).map { _ in Float(rng.nextDouble() * 4 - 2) }
                    let y0 = (0..<n).map { i in i % 5 == 0 ? -Float(0) : Float(rng.nextDouble() - 0.5) }
                    var applied = [Float](repeating: .nan, count: n), accumulated = y0
                    mask.apply(key: key, token: t, x, into: &applied, n)
                    mask.accumulate(key: key, token: t, x, into: &accumulated, n)
                    for i in 0..<n {
                        let keep = mask.keeps(key: key, token: t, i)
                        let what = "p=\(p) n=\(n) key=\(key) t=\(t) i=\(i)"
                        XCTAssertEqual(applied[i].bitPattern, (keep ? x[i] * mask.scale : 0).bitPattern, what)
                        XCTAssertEqual(accumulated[i].bitPattern, (keep ? y0[i] + x[i] * mask.scale : y0[i]).bitPattern, what)
                    }
                }
            }
        }
    }

    func testKeepRateAndRowsDiffer() {
        let mask = DropoutMask(seed: 3, p: 0.05)
        let n = 4096
        var kept = 0
        for t in 0..<16 { for i in 0..<n where mask.keeps(key: 1, token: t, i) { kept += 1 } }
        // 65,536 Bernoulli(0.95) draws: mean 62,259, sd ≈ 56.
        XCTAssertEqual(Double(kept) / Double(16 * n), 0.95, accuracy: 0.004)
        let row0 = (0..<n).map { mask.keeps(key: 1, token: 0, $0) }
        XCTAssertNotEqual(row0, (0..<n).map { mask.keeps(key: 1, token: 1, $0) })
        XCTAssertNotEqual(row0, (0..<n).map { mask.keeps(key: 2, token: 0, $0) })
        XCTAssertTrue((0..<n).allSatisfy { !DropoutMask(seed: 3, p: 1).keeps(key: 1, token: 0, $0) })
        XCTAssertTrue((0..<n).allSatisfy { DropoutMask(seed: 3, p: 0).keeps(key: 1, token: 0, $0) })
    }
}

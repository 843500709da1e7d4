import Reports
import XCTest

final class BootstrapTests: XCTestCase {
    /// n pairs with the given counts of (right→right, right→wrong, wrong→right, wrong→wrong),
    /// interleaved so that no resample sees a sorted block.
    private func pairs(_ a: Int, _ b: Int, _ c: Int, _ d: Int) -> [(before: Bool, after: Bool)] {
        var out: [(before: Bool, after: Bool)] = []
        out += Array(repeating: (true, true), count: a)
        out += Array(repeating: (true, false), count: b)
        out += Array(repeating: (false, true), count: c)
        out += Array(repeating: (false, false), count: d)
        var rng = SeededGenerator(seed: 99)
        out.shuffle(using: &rng)
        return out
    }

    func testSameSeedSameInterval() {
        let p = pairs(10, 8, 3, 19)
        let x = PairedBootstrap(resamples: 500, seed: 7).interval(p)
        let y = PairedBootstrap(resamples: 500, seed: 7).interval(p)
        XCTAssertEqual(x, y)
        let z = PairedBootstrap(resamples: 500, seed: 8).interval(p)
        XCTAssertNotEqual(x, z, "another seed draws other resamples")
    }

    func testIntervalContainsThePointEstimate() {
        let p = pairs(10, 8, 3, 19)          // Δ = (3 − 8)/40 = −0.125
        let i = PairedBootstrap().interval(p)
        XCTAssertTrue(i.contains(-0.125), "\(i)")
        XCTAssertLessThan(i.lower, -0.125)
        XCTAssertGreaterThan(i.upper, -0.125)
        XCTAssertGreaterThanOrEqual(i.lower, -1)
        XCTAssertLessThanOrEqual(i.upper, 1)
    }

    func testWidthShrinksWithN() {
        let small = PairedBootstrap().interval(pairs(10, 8, 3, 19))
        let large = PairedBootstrap().interval(pairs(250, 200, 75, 475))   // same proportions, 25× n
        XCTAssertLessThan(large.width, small.width / 3, "about 1/√25 = 1/5 as wide: \(small) vs \(large)")
        XCTAssertTrue(large.contains(-0.125))
    }

    func testNoDiscordantPairsGiveAZeroWidthInterval() {
        XCTAssertEqual(PairedBootstrap().interval(pairs(5, 0, 0, 5)), Interval(0, 0))
    }

    func testStrataAverageTheirDeltas() {
        // Seed 1: Δ = −0.5 exactly in every resample (all pairs lost); seed 2: Δ = 0 always.
        let i = PairedBootstrap(resamples: 200).interval(strata: [pairs(0, 10, 0, 0), pairs(5, 0, 0, 5)])
        XCTAssertEqual(i.lower, -0.5, accuracy: 1e-12)
        XCTAssertEqual(i.upper, -0.5, accuracy: 1e-12)
    }
}

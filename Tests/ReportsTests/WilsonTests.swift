import Reports
import XCTest

/// Wilson bounds against values worked out by hand from the formula
///     (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n),   z = 1.959964, z² = 3.841459.
final class WilsonTests: XCTestCase {
    func testEightOfTen() {
        // z²/n = 0.3841459 → denominator 1.3841459; center = (0.8 + 0.1920729) / 1.3841459 = 0.7167401;
        // √(0.8·0.2/10 + 3.841459/400) = √(0.016 + 0.0096036) = 0.1600114;
        // half = 1.959964 / 1.3841459 · 0.1600114 = 0.2265777 → [0.4901625, 0.9433178].
        let i = Wilson.interval(correct: 8, n: 10)
        XCTAssertEqual(i.lower, 0.4901625, accuracy: 1e-6)
        XCTAssertEqual(i.upper, 0.9433178, accuracy: 1e-6)
    }

    func testZeroOfTwentyStartsAtZero() {
        // p̂ = 0: center = half = (z²/2n)/(1 + z²/n), so lower = 0 and
        // upper = (z²/n)/(1 + z²/n) = 0.1920729 / 1.1920729 = 0.1611252.
        let i = Wilson.interval(correct: 0, n: 20)
        XCTAssertEqual(i.lower, 0, accuracy: 1e-12)
        XCTAssertEqual(i.upper, 0.1611252, accuracy: 1e-6)
    }

    func testTwentyOfTwentyEndsAtOne() {
        // p̂ = 1 mirrors 0/20: lower = 1/(1 + z²/n) = 1 / 1.1920729 = 0.8388748, upper = 1.
        let i = Wilson.interval(correct: 20, n: 20)
        XCTAssertEqual(i.lower, 0.8388748, accuracy: 1e-6)
        XCTAssertEqual(i.upper, 1, accuracy: 1e-12)
    }

    func testNoExamplesIsTheWholeRange() {
        XCTAssertEqual(Wilson.interval(correct: 0, n: 0), Interval(0, 1))
    }

    func testIntervalNarrowsWithMoreExamplesAtTheSameRate() {
        XCTAssertLessThan(Wilson.interval(correct: 80, n: 100).width, Wilson.interval(correct: 8, n: 10).width)
    }
}

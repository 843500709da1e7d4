import Reports
import XCTest

/// p = min(1, 2 · Σ_{i ≤ min(b,c)} C(b+c, i) / 2^(b+c)).
final class McNemarTests: XCTestCase {
    func testSmallCountsByHand() {
        // b=1, c=5: n=6, (C(6,0)+C(6,1))/64 = 7/64, doubled = 14/64.
        XCTAssertEqual(McNemar.exactPValue(b: 1, c: 5), 0.21875, accuracy: 1e-15)
        // b=0, c=6: 1/64, doubled = 2/64.
        XCTAssertEqual(McNemar.exactPValue(b: 0, c: 6), 0.03125, accuracy: 1e-15)
        // Symmetric in b and c.
        XCTAssertEqual(McNemar.exactPValue(b: 5, c: 1), 0.21875, accuracy: 1e-15)
        // b=2, c=3: (1+5+10)/32 = 0.5, doubled = 1.
        XCTAssertEqual(McNemar.exactPValue(b: 2, c: 3), 1, accuracy: 1e-15)
    }

    func testEqualCountsGiveOne() {
        for b in [0, 1, 4, 50, 3000] {
            XCTAssertEqual(McNemar.exactPValue(b: b, c: b), 1, "b = c = \(b)")
        }
    }

    func testLargeCountsStayFiniteAndMatchReference() {
        // References from scipy.stats.binomtest(k, n, 0.5).pvalue, the same exact two-sided test.
        XCTAssertEqual(McNemar.exactPValue(b: 500, c: 600), 0.0028195449914364284, accuracy: 1e-12)
        // n = 9000: 2⁻ⁿ underflows a Double, so a naive sum would return 0 here.
        let p = McNemar.exactPValue(b: 4000, c: 5000)
        XCTAssertEqual(p / 5.581401567014391e-26, 1, accuracy: 1e-8)
    }
}

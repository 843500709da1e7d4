import Foundation
import Reports
import XCTest

final class ZeroCrossingTests: XCTestCase {
    typealias P = ZeroCrossing.Point

    func testCrossingIsInterpolatedBetweenTheBracketingPoints() {
        // From (8, −0.1) to (9, +0.3): zero at 8 + 0.1/0.4 = 8.25.
        let points = [P(label: "big", x: 9, y: 0.3), P(label: "small", x: 8, y: -0.1), P(label: "tiny", x: 7.5, y: -0.2)]
        let c = ZeroCrossing.crossings(points)
        XCTAssertEqual(c.count, 1)
        XCTAssertEqual(c[0].x, 8.25, accuracy: 1e-12)
        XCTAssertEqual(c[0].left.label, "small")
        XCTAssertEqual(c[0].right.label, "big")
        XCTAssertTrue(c[0].rising)
    }

    func testNoCrossingInRange() {
        XCTAssertTrue(ZeroCrossing.crossings([P(label: "a", x: 8, y: 0.1), P(label: "b", x: 9, y: 0.2)]).isEmpty)
        XCTAssertTrue(ZeroCrossing.crossings([P(label: "a", x: 8, y: -0.1), P(label: "b", x: 9, y: -0.2)]).isEmpty)
        XCTAssertTrue(ZeroCrossing.crossings([P(label: "a", x: 8, y: -0.1)]).isEmpty)
    }

    func testAPointOnZeroCountsOnlyIfTheSignChanges() {
        let through = ZeroCrossing.crossings([P(label: "a", x: 8, y: -0.1), P(label: "b", x: 8.5, y: 0), P(label: "c", x: 9, y: 0.1)])
        XCTAssertEqual(through.map(\.x), [8.5])
        XCTAssertEqual(through.first?.left.label, "b")
        let touch = ZeroCrossing.crossings([P(label: "a", x: 8, y: -0.1), P(label: "b", x: 8.5, y: 0), P(label: "c", x: 9, y: -0.1)])
        XCTAssertTrue(touch.isEmpty)
    }

    func testFallingCrossingOnLogParameters() {
        // 100M (Δ +0.2) and 1B (Δ −0.2): zero at log10 = 8.5, i.e. ≈ 316M parameters.
        let c = ZeroCrossing.crossings([P(label: "m100", x: log10(1e8), y: 0.2), P(label: "b1", x: 9, y: -0.2)])
        XCTAssertEqual(c.count, 1)
        XCTAssertFalse(c[0].rising)
        XCTAssertEqual(pow(10, c[0].x), 316_227_766, accuracy: 1)
    }
}

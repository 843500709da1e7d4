import Reports
import XCTest

/// McNemar's 2 × 2 table and the significance mark, on hand-counted cases.
final class PairedCountsTests: XCTestCase {
    func testCountsTheFourCells() throws {
        let pairs: [(first: Bool, second: Bool)] = [(true, true), (true, false), (false, true), (false, true),
                                                    (false, false), (true, true), (false, true)]
        let c = PairedCounts(pairs)
        XCTAssertEqual([c.bothRight, c.firstOnly, c.secondOnly, c.bothWrong], [2, 1, 3, 1])
        XCTAssertEqual(c.n, 7)
        XCTAssertEqual([c.firstCorrect, c.secondCorrect], [3, 5])
        XCTAssertEqual(try XCTUnwrap(c.delta), 2.0 / 7, accuracy: 1e-12)
        XCTAssertEqual(c.pValue, 0.625, accuracy: 1e-12)      // 2 · (1 + 4) / 16: b 1, c 3
        XCTAssertNil(PairedCounts().delta)
        let sum = c + PairedCounts([(first: true, second: false), (first: true, second: false)])
        XCTAssertEqual([sum.bothRight, sum.firstOnly, sum.secondOnly, sum.bothWrong], [2, 3, 3, 1])
        XCTAssertEqual(try XCTUnwrap(sum.delta), 0, accuracy: 1e-12)
    }

    func testMarkNeedsEverySeedInTheDirectionOfDelta() {
        XCTAssertEqual(SignificanceMark.mark(delta: -0.1, seeds: [(-0.1, 0.004)]), "**")
        XCTAssertEqual(SignificanceMark.mark(delta: 0.1, seeds: [(0.1, 0.03), (0.2, 0.001)]), "*", "the largest p decides")
        XCTAssertEqual(SignificanceMark.mark(delta: 0.1, seeds: [(0.1, 0.06)]), "")
        XCTAssertEqual(SignificanceMark.mark(delta: 0.05, seeds: [(0.3, 0.001), (-0.2, 0.001)]), "", "the seeds disagree")
        XCTAssertEqual(SignificanceMark.mark(delta: 0, seeds: [(0, 1)]), "")
        XCTAssertEqual(SignificanceMark.mark(delta: 0.1, seeds: []), "")
    }
}

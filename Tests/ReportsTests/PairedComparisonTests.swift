import Reports
import XCTest

final class PairedComparisonTests: XCTestCase {
    func testCountsDeltaAndFlips() throws {
        //            index: 0123456789
        let a = RunBuilder.run(1, method: "zero_shot", outcomes: "1110001100")
        let b = RunBuilder.run(2, method: "full", outcomes: "1000011101")
        // both right: 0, 6, 7; only a: 1, 2; only b: 5, 9; both wrong: 3, 4, 8.
        let c = try PairedComparison.compare(before: a, after: b)
        XCTAssertEqual([c.bothRight, c.beforeOnly, c.afterOnly, c.bothWrong], [3, 2, 2, 3])
        XCTAssertEqual(c.delta, 0, accuracy: 1e-12)
        XCTAssertEqual(c.pValue, 1)
        XCTAssertEqual(c.lost.map(\.exampleIndex), [1, 2])
        XCTAssertEqual(c.gained.map(\.exampleIndex), [5, 9])
        XCTAssertEqual(c.lost.first?.prompt, "Q1?")
        XCTAssertEqual(c.lost.first?.beforeOutput, "zero_shot says right")
        XCTAssertEqual(c.lost.first?.afterOutput, "full says wrong")
    }

    func testOnlySharedExamplesArePaired() throws {
        let a = RunBuilder.run(1, method: "zero_shot", outcomes: "111111")              // 0…5
        let b = RunBuilder.run(2, method: "full", outcomes: "0000", firstIndex: 4)        // 4…7
        let c = try PairedComparison.compare(before: a, after: b)
        XCTAssertEqual(c.pairs, 2)
        XCTAssertEqual(c.beforeOnly, 2)
        XCTAssertEqual(c.delta, -1, accuracy: 1e-12)
    }

    func testDifferentTasksOrNoOverlapAreOneLineErrors() {
        let a = RunBuilder.run(1, method: "zero_shot", outcomes: "11")
        let other = RunBuilder.run(2, method: "full", task: "svamp", outcomes: "11")
        XCTAssertThrowsError(try PairedComparison.compare(before: a, after: other)) { e in
            XCTAssertTrue("\(e)".contains("same task"), "\(e)")
            XCTAssertFalse("\(e)".contains("\n"))
        }
        let disjoint = RunBuilder.run(3, method: "full", outcomes: "11", firstIndex: 10)
        XCTAssertThrowsError(try PairedComparison.compare(before: a, after: disjoint)) { e in
            XCTAssertTrue("\(e)".contains("share no scored example"), "\(e)")
        }
    }
}

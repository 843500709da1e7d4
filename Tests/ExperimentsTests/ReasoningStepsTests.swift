import Foundation
import XCTest
@testable import Experiments

/// An example's reasoning depth: the lines of its worked solution before the `####` answer line.
final class ReasoningStepsTests: XCTestCase {
    func testCountsNonEmptyLinesBeforeTheAnswerLine() {
        let solution = "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\n\n  \nShe sold 48+24 = <<48+24=72>>72 clips.\n#### 72"
        XCTAssertEqual(Example(index: 0, question: "q", solution: solution, answer: "72").reasoningSteps, 2)
        XCTAssertEqual(Example(index: 0, question: "q", solution: "one\ntwo\nthree", answer: "1").reasoningSteps, 3,
                       "without an answer line every non-empty line is a step")
        XCTAssertEqual(Example(index: 0, question: "q", solution: "#### 5", answer: "5").reasoningSteps, 0)
        XCTAssertNil(Example(index: 0, question: "q", answer: "5").reasoningSteps)
    }

    /// The report's depth bins (≤ 2, 3, 4, ≥ 5) are sized on the GSM8K test: 326, 371, 297, 325.
    func testGSM8KTestDepthsFillTheReportBins() throws {
        let path = try TestData.file("gsm8k/test.jsonl")
        let dataset = try DatasetLoader.gsm8k(path: path, split: "test")
        let steps = dataset.examples.compactMap(\.reasoningSteps)
        XCTAssertEqual(steps.count, 1319)
        XCTAssertEqual(steps.filter { $0 <= 2 }.count, 326)
        XCTAssertEqual(steps.filter { $0 == 3 }.count, 371)
        XCTAssertEqual(steps.filter { $0 == 4 }.count, 297)
        XCTAssertEqual(steps.filter { $0 >= 5 }.count, 325)
    }
}

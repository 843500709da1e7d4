import Reports
import XCTest

/// Methods trained at several learning rates are separate conditions in reports.
final class LearningRateSplitTests: XCTestCase {
    func testLabelledVariantsRankWithTheirMethodAndReadWell() {
        XCTAssertEqual(Methods.sorted(["dora", "full lr=0.0001", "zero_shot", "full lr=2e-05", "lora"]),
                       ["zero_shot", "full lr=2e-05", "full lr=0.0001", "lora", "dora"])
        XCTAssertEqual(LaTeXTables.methodName("full lr=0.0001"), "full FT, lr 0.0001")
        XCTAssertEqual(LaTeXTables.methodName("lora"), "LoRA")
    }

    /// Summaries, and so every table built from them (Δ, flips, depth), list a method's rates
    /// in the accuracy table's column order — not in string order, which puts 0.0001 first.
    func testSummariesOrderLearningRatesLikeTheColumns() throws {
        let runs = ["full lr=0.0001", "zero_shot", "full lr=2e-05"].enumerated().map { i, method in
            RunBuilder.run(Int64(i + 1), method: method, outcomes: "1010")
        }
        let study = try StudyAnalysis.analyze(runs)
        XCTAssertEqual(study.summaries.map(\.method), ["zero_shot", "full lr=2e-05", "full lr=0.0001"])
        XCTAssertEqual(study.transfers.map(\.summary.method), ["full lr=2e-05", "full lr=0.0001"])
    }
}

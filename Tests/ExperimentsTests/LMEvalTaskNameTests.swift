@testable import Experiments
import XCTest

/// Which ftlab task a harness task is about.
final class LMEvalTaskNameTests: XCTestCase {
    func testSameNamePrefixedVariantsAndUnknownTasks() {
        XCTAssertEqual(LMEvalFolder.ftlabTask(for: "gsm8k"), "gsm8k")
        XCTAssertEqual(LMEvalFolder.ftlabTask(for: "gsm8k_cot_zeroshot"), "gsm8k")
        XCTAssertEqual(LMEvalFolder.ftlabTask(for: "piqa"), "piqa")
        XCTAssertEqual(LMEvalFolder.ftlabTask(for: "commonsense_qa"), "commonsenseqa")
        XCTAssertNil(LMEvalFolder.ftlabTask(for: "arc_easy"))
        XCTAssertNil(LMEvalFolder.ftlabTask(for: "gsm8kx"), "a prefix counts only before _ or -")
        XCTAssertNil(LMEvalFolder.ftlabTask(for: "synthetic"), "built-in tasks have no harness counterpart")
    }

    func testFiltersBecomeFtlabRules() {
        XCTAssertEqual(LMEvalTaskImport.rule(filter: "strict-match", metric: "exact_match", generation: true), "strict")
        XCTAssertEqual(LMEvalTaskImport.rule(filter: "flexible-extract", metric: "exact_match", generation: true), "flexible")
        XCTAssertEqual(LMEvalTaskImport.rule(filter: "get-answer", metric: "exact_match", generation: true), "get-answer")
        XCTAssertEqual(LMEvalTaskImport.rule(filter: "none", metric: "acc_norm", generation: false), "acc_norm")
    }
}

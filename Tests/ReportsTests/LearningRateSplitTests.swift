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
}

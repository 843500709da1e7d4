import XCTest
@testable import Experiments

final class AnswerExtractionTests: XCTestCase {
    let extractor = AnswerExtractor()

    /// (output, gold, strict, flexible, numeric) → expected correctness per rule.
    func check(_ output: String, gold: String, strict: Bool, flexible: Bool, numeric: Bool,
               file: StaticString = #filePath, line: UInt = #line) {
        let s = extractor.score(output, gold: gold)
        XCTAssertEqual(s.isCorrect(.strict), strict, "strict on \(output.debugDescription): \(s.extracted)", file: file, line: line)
        XCTAssertEqual(s.isCorrect(.flexible), flexible, "flexible on \(output.debugDescription): \(s.extracted)", file: file, line: line)
        XCTAssertEqual(s.isCorrect(.numeric), numeric, "numeric on \(output.debugDescription): \(s.extracted)", file: file, line: line)
    }

    func testGSM8KStyleAnswer() {
        let out = " Janet sells 16 - 3 - 4 = <<16-3-4=9>>9 duck eggs a day.\nShe makes 9 * 2 = $<<9*2=18>>18.\n#### 18"
        check(out, gold: "18", strict: true, flexible: true, numeric: true)
        XCTAssertEqual(extractor.extract(out, rule: .strict), "18")
    }

    func testCommasDollarsAndTrailingPeriod() {
        check("#### 1,234", gold: "1234", strict: true, flexible: true, numeric: true)
        XCTAssertEqual(extractor.extract("#### 1,234", rule: .strict), "1,234")
        check("The total is $1,234.", gold: "1234", strict: false, flexible: true, numeric: true)
        XCTAssertEqual(extractor.extract("The total is $1,234.", rule: .flexible), "$1,234")
        check("#### 5.", gold: "5", strict: true, flexible: true, numeric: true)
    }

    func testDecimalsCompareNumericallyOnlyUnderNumeric() {
        check("#### 72.00", gold: "72", strict: false, flexible: false, numeric: true)
        check("It is .5 of the cake", gold: "0.5", strict: false, flexible: false, numeric: true)
        check("It is 0.5 of the cake", gold: "0.5", strict: false, flexible: true, numeric: true)
        check("So 25%", gold: "25", strict: false, flexible: true, numeric: true)
    }

    func testNegatives() {
        check("The temperature fell to -3 degrees.", gold: "-3", strict: false, flexible: true, numeric: true)
        check("#### -3", gold: "-3", strict: true, flexible: true, numeric: true)
        check("10-3", gold: "-3", strict: false, flexible: false, numeric: false)
    }

    func testLastNumberWinsAndStrictTakesFirstMarker() {
        check("5 apples and 7 pears make 12 fruits", gold: "12", strict: false, flexible: true, numeric: true)
        check("5 apples and 7 pears make 12 fruits", gold: "5", strict: false, flexible: false, numeric: false)
        let two = "#### 4\n#### 5"
        XCTAssertEqual(extractor.extract(two, rule: .strict), "4")
        XCTAssertEqual(extractor.extract(two, rule: .flexible), "5")
        // Numeric prefers the strict answer when there is one.
        XCTAssertEqual(extractor.extract("#### 4 but maybe 5", rule: .numeric), "4")
    }

    func testStrictSkipsMarkerWithoutNumber() {
        XCTAssertEqual(extractor.extract("#### none\n#### 7", rule: .strict), "7")
        XCTAssertNil(extractor.extract("#### $7", rule: .strict), "the harness regex does not allow $")
        check("#### $7", gold: "7", strict: false, flexible: true, numeric: true)
    }

    func testNoNumber() {
        let s = extractor.score("I do not know.", gold: "3")
        XCTAssertTrue(s.extracted.isEmpty)
        XCTAssertEqual(s.correct, [.strict: false, .flexible: false, .numeric: false])
    }

    func testOrdinalsAndScientificNotation() {
        check("On the 3rd day she had 8 left", gold: "8", strict: false, flexible: true, numeric: true)
        check("She finished 3rd", gold: "3", strict: false, flexible: false, numeric: false)
        XCTAssertEqual(extractor.extract("about 1e5 grains", rule: .numeric), "1")
    }

    func testStopStrings() {
        let out = " 2 + 3 = 5\n#### 5\n\nQuestion: next one\nAnswer: 9 + 1 = 10\n#### 10"
        XCTAssertEqual(extractor.truncate(out), " 2 + 3 = 5\n#### 5\n\n")
        check(out, gold: "5", strict: true, flexible: true, numeric: true)
        XCTAssertEqual(extractor.truncate("a 1\n\n\nb 2"), "a 1")
        XCTAssertEqual(extractor.truncate("7<|im_end|>8"), "7")
        let custom = AnswerExtractor(stopStrings: ["Q:"])
        XCTAssertEqual(custom.extract("4 Q: 8", rule: .flexible), "4")
        XCTAssertEqual(AnswerExtractor(stopStrings: []).extract("4 Question: 8", rule: .flexible), "8")
    }
}

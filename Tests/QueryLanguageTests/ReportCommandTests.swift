import XCTest
@testable import QueryLanguage

final class ReportCommandTests: XCTestCase {
    private func parseOne(_ text: String) throws -> ReportCommand {
        let commands = try QueryParser.parse(text)
        guard commands.count == 1, case .report(let r) = commands[0] else {
            XCTFail("not a report command: \(commands)")
            return .run(0)
        }
        return r
    }

    func testStudiesWithFilterAndFolder() throws {
        XCTAssertEqual(try parseOne("report negative-transfer"), .study(ReportStudy(kind: .negativeTransfer)))
        XCTAssertEqual(try parseOne("REPORT thresholds to 'out dir/x'"),
                       .study(ReportStudy(kind: .thresholds, directory: "out dir/x")))
        let r = try parseOne("report negative-transfer where task = gsm8k and method in (full, lora) to Reports/out/a")
        guard case .study(let s) = r else { return XCTFail("\(r)") }
        XCTAssertEqual(s.kind, .negativeTransfer)
        XCTAssertEqual(s.directory, "Reports/out/a")
        XCTAssertEqual(s.filterText, "task = gsm8k and method in (full, lora)")
        XCTAssertEqual(s.filter, .and(.compare(field: "task", op: .eq, value: .text("gsm8k")),
                                      .isIn(field: "method", values: [.text("full"), .text("lora")], negated: false)))
    }

    func testFormatClauseInEitherOrderAfterTo() throws {
        XCTAssertEqual(try parseOne("report negative-transfer format latex"),
                       .study(ReportStudy(kind: .negativeTransfer, format: .latex)))
        XCTAssertEqual(try parseOne("report thresholds where format = plain format md to out"),
                       .study(ReportStudy(kind: .thresholds, filter: .compare(field: "format", op: .eq, value: .text("plain")),
                                          filterText: "format = plain", directory: "out", format: .md)))
        XCTAssertEqual(try parseOne("report thresholds to out FORMAT all"),
                       .study(ReportStudy(kind: .thresholds, directory: "out", format: .all)))
        let bad = parseError("report thresholds format pdf")
        XCTAssertEqual(bad?.message, "expected `md`, `latex`, `all` after `format`, got `pdf`")
        XCTAssertEqual(bad?.column, 26)
        let twice = parseError("report thresholds format md format latex")
        XCTAssertEqual(twice?.message, "expected `to` or end of statement, got `format`")
    }

    func testRunAndCompare() throws {
        XCTAssertEqual(try parseOne("report run 12"), .run(12))
        XCTAssertEqual(try parseOne("compare run 3 with run 7"), .compare(3, 7))
        XCTAssertEqual(try parseOne("compare run 3 with 7"), .compare(3, 7))
    }

    func testErrorsPointAtTheToken() {
        let kind = parseError("report negative-transfr")
        XCTAssertEqual(kind?.column, 8)
        XCTAssertTrue(kind?.message.contains("did you mean `negative-transfer`") == true, "\(String(describing: kind))")
        let field = parseError("report thresholds where modle = x")
        XCTAssertEqual(field?.column, 25)
        XCTAssertTrue(field?.message.contains("unknown field `modle`") == true)
        let with = parseError("compare run 1 run 2")
        XCTAssertEqual(with?.column, 15)
        XCTAssertEqual(with?.message, "expected `with` after `compare run 1`, got `run`")
        let trailing = parseError("report run 3 4")
        XCTAssertEqual(trailing?.column, 14)
        let id = parseError("compare run 0 with run 2")
        XCTAssertEqual(id?.message, "run id must be a positive integer, got `0`")
        XCTAssertNotNil(parseError("report thresholds to"))
    }

    func testReportsAreNotQueries() throws {
        XCTAssertThrowsError(try QueryCompiler.compile(.report(.run(1))))
    }

    func testNewWordsAreCompletionKeywords() {
        for word in ["report", "compare", "with", "to", "format", "latex", "negative-transfer", "thresholds"] {
            XCTAssertTrue(Vocabulary.keywords.contains(word), word)
        }
        XCTAssertEqual(Vocabulary.keywords.count, Set(Vocabulary.keywords).count, "no duplicates")
    }
}

// The caret rendering: exact text, origin, and alignment by Characters with tabs preserved.
import XCTest
@testable import QueryLanguage

final class RenderingTests: XCTestCase {
    private func render(_ text: String, line: Int = 1, origin: String? = nil) -> String {
        parseError(text, startLine: line)?.rendered(source: text, origin: origin) ?? ""
    }

    func testRenderedLikeTheManual() {
        XCTAssertEqual(render("runs where acuracy > 0.1"), """
            error: unknown field `acuracy` for runs (did you mean `accuracy`?)
             --> 1:12
              runs where acuracy > 0.1
                         ^~~~~~~
            """)
    }

    func testOriginAndScriptLine() {
        XCTAssertEqual(render("runs where acuracy > 0.1", line: 3, origin: "script.ftl"), """
            error: unknown field `acuracy` for runs (did you mean `accuracy`?)
             --> script.ftl:3:12
              runs where acuracy > 0.1
                         ^~~~~~~
            """)
    }

    func testTabsArePreservedInTheCaretPrefix() {
        let text = "\truns where\tacuracy > 0.1"
        // Prefix: the tab, ten spaces for "runs where", the second tab; then the caret at column 13.
        XCTAssertEqual(render(text), "error: unknown field `acuracy` for runs (did you mean `accuracy`?)\n --> 1:13\n  \(text)\n  \t          \t^~~~~~~")
    }

    func testColumnsCountCharactersNotBytes() throws {
        // "👩‍👩‍👧" is one Character made of five scalars and 18 UTF-8 bytes; "é" is two bytes.
        let text = #"runs where host = "👩‍👩‍👧é" and acuracy > 1"#
        let error = try XCTUnwrap(parseError(text))
        XCTAssertEqual(error.column, 28)
        XCTAssertEqual(error.rendered(source: text).split(separator: "\n").last,
                       "  " + String(repeating: " ", count: 27) + "^~~~~~~")
    }

    func testEndOfInputCaretSitsAfterTheLastToken() {
        XCTAssertEqual(render("runs where"), """
            error: expected a field name, got end of input
             --> 1:11
              runs where
                        ^
            """)
    }

    func testMultiLineSourceEchoesTheRightLine() {
        XCTAssertEqual(render("runs;\nmodels where famly = llama", line: 5), """
            error: unknown field `famly` for models (did you mean `family`?)
             --> 6:14
              models where famly = llama
                           ^~~~~
            """)
    }

    func testUnpositionedErrorAndDescription() throws {
        let error = QueryError(message: "boom", line: 0, column: 0, length: 0)
        XCTAssertEqual(error.rendered(source: "runs", origin: "x.ftl"), "error: boom\n --> x.ftl")
        XCTAssertEqual(try XCTUnwrap(parseError("runs limit 0")).description, "1:12: limit must be a positive integer, got `0`")
    }
}

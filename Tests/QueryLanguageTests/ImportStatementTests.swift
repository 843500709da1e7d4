@testable import QueryLanguage
import XCTest

/// `import lm-eval PATH [as MODEL]`.
final class ImportStatementTests: XCTestCase {
    func testPathAsWordOrQuotedAndOptionalModel() throws {
        XCTAssertEqual(try QueryParser.parse("import lm-eval Tests/Fixtures/lm-eval"),
                       [.importRuns(ImportCommand(path: "Tests/Fixtures/lm-eval"))])
        XCTAssertEqual(try QueryParser.parse("import lm-eval '/tmp/my runs/out' as smollm2-135m-instruct"),
                       [.importRuns(ImportCommand(path: "/tmp/my runs/out", model: "smollm2-135m-instruct"))])
    }

    func testErrorsPointAtTheWord() {
        XCTAssertThrowsError(try QueryParser.parse("import lm-evl out")) { error in
            let e = error as! QueryError
            XCTAssertTrue(e.message.contains("expected what to import (lm-eval)"), e.message)
            XCTAssertEqual(e.column, 8)
        }
        XCTAssertThrowsError(try QueryParser.parse("import lm-eval")) { error in
            XCTAssertTrue((error as! QueryError).message.contains("a folder or results file"), "\(error)")
        }
        XCTAssertThrowsError(try QueryParser.parse("import lm-eval out extra")) { error in
            XCTAssertTrue((error as! QueryError).message.contains("`as MODEL` or end of statement"), "\(error)")
        }
    }

    func testImportIsNotAQuery() {
        XCTAssertThrowsError(try QueryCompiler.compile(.importRuns(ImportCommand(path: "x"))))
    }
}

// `cancel run N, …` and `cancel runs where …`, with an optional `because '…'`.
import XCTest
@testable import QueryLanguage

final class CancelStatementTests: XCTestCase {
    func testCancelRunList() throws {
        XCTAssertEqual(try QueryParser.parse("cancel run 15, 17 because 'seed 1 dropped'"),
                       [.cancel(CancelCommand(target: .runs([15, 17]), reason: "seed 1 dropped"))])
        XCTAssertEqual(try QueryParser.parse("CANCEL RUN 3"), [.cancel(CancelCommand(target: .runs([3])))])
    }

    func testCancelRunsWhereCompilesToASelectionOfIds() throws {
        let commands = try QueryParser.parse("cancel runs where seed = 1 and model ~ 'qwen*' because \"  first 500 only \"")
        guard case .cancel(let c)? = commands.first, case .matching(let filter) = c.target else {
            return XCTFail("not a cancel selection: \(commands)")
        }
        XCTAssertEqual(c.reason, "first 500 only", "the reason is trimmed")
        XCTAssertEqual(filter, .and(.compare(field: "seed", op: .eq, value: .integer(1)),
                                    .compare(field: "model", op: .glob, value: .text("qwen*"))))
        let q = try QueryCompiler.compileSelection(filter)
        XCTAssertEqual(q.sql, #"SELECT "id" FROM q_runs WHERE "seed" = ? AND "model" GLOB ? ORDER BY "id""#)
        XCTAssertEqual(q.arguments, [.integer(1), .text("qwen*")])
        XCTAssertThrowsError(try QueryCompiler.compile(commands[0]), "cancel is not a query")
    }

    func testStatusCancelledIsAValueOfStatus() throws {
        let q = try parseQuery("runs where status = CANCELLED")
        XCTAssertEqual(q.filter, .compare(field: "status", op: .eq, value: .text("cancelled")))
    }

    func testErrorsPointAtTheMistake() {
        assertError("cancel", "expected `run N` or `runs where …` after `cancel`, got end of input", column: 7)
        assertError("cancel runs", "expected `where …` after `cancel runs` (to cancel every queued run, say so: `cancel runs where status = queued`), got end of input", column: 12)
        assertError("cancel run 0", "run id must be a positive integer, got `0`", column: 12)
        assertError("cancel run 4,", "run id must be a positive integer, got end of input", column: 14)
        assertError("cancel run 4 because why", "expected a quoted reason after `because`, got `why`", column: 22)
        assertError("cancel run 4 because ' '", "the reason after `because` is empty", column: 22)
        assertError("cancel run 4 now", "expected `,`, `because '…'` or end of statement, got `now`", column: 14)
        assertError("cancel runs where sed = 1", "unknown field `sed` for runs (did you mean `seed`?)", column: 19)
    }
}

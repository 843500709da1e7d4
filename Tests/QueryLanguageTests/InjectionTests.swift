// No user text reaches the SQL: literals become arguments and identifiers come from the catalog.
import XCTest
@testable import QueryLanguage

final class InjectionTests: XCTestCase {
    func testQuotedPayloadStaysInOneArgument() throws {
        let c = try compileOne(#"runs where model = "x'; DROP TABLE runs; --""#)
        XCTAssertEqual(c.sql, #"SELECT "id", "model", "method", "task", "shots", "seed", "status", "n", "accuracy" FROM q_runs WHERE "model" = ?"#)
        XCTAssertEqual(c.arguments, [.text("x'; DROP TABLE runs; --")])
    }

    func testPayloadsInListsGlobsAndPivots() throws {
        let payload = #"') OR 1=1 --"#
        let c = try compileOne(#"count by model where host in ("\#(payload)", 'a"b') or model ~ "*\"; DELETE""#)
        XCTAssertFalse(c.sql.contains("OR 1=1"))
        XCTAssertFalse(c.sql.contains("DELETE"))
        XCTAssertEqual(c.arguments, [.text(payload), .text("a\"b"), .text("*\"; DELETE")])
    }

    func testIdentifiersCannotBeSmuggled() {
        // A quoted string is a value, never a field name.
        assertError(#"runs where "model" = 1"#, "expected a field name, got `\"model\"`", column: 12, length: 7)
        // A field position only takes catalog names.
        assertError("runs select id, model--", "unknown field `model--` for runs (did you mean `model`?)", column: 17, length: 7)
        // `;` ends the statement, so a second statement must itself be valid.
        assertError("runs; DROP TABLE runs", "unknown source `DROP` (expected runs, predictions, steps, models, datasets, sweeps, `show run N`, `accuracy by …` or `count by …`)", column: 7, length: 4)
        // Trailing junk after a filter is refused, not ignored.
        assertError("runs where id = 1 /* x */", "expected `and`, `or`, `select`, `where`, `order by`, `limit` or end of statement, got `/*`", column: 19, length: 2)
    }

    func testNoLiteralEverAppearsInSQL() throws {
        let text = "runs select id where task = gsm8k and shots >= 5 and host ~ 'lab*' and method in (lora) order by id limit 42"
        let c = try compileOne(text)
        for fragment in ["gsm8k", "5", "lab", "lora", "42"] {
            XCTAssertFalse(c.sql.contains(fragment), "\(fragment) leaked into \(c.sql)")
        }
        XCTAssertEqual(c.arguments.count, 5)
    }
}

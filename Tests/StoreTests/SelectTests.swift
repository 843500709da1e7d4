import Foundation
import XCTest
@testable import Store

/// `select` is the door for user SQL: typed results, bound arguments, and no way to write.
final class SelectTests: XCTestCase {
    func testTypedValuesAndColumns() throws {
        let store = try ResultsStore(path: ":memory:")
        let table = try store.select(sql: "SELECT 1 AS i, 2.5 AS r, 'x' AS t, NULL AS n, x'0102' AS b")
        XCTAssertEqual(table.columns, ["i", "r", "t", "n", "b"])
        XCTAssertEqual(table.rows, [[.integer(1), .real(2.5), .text("x"), .null, .blob(Data([1, 2]))]])
    }

    func testArgumentsAreBoundInOrder() throws {
        let store = try ResultsStore(path: ":memory:")
        let table = try store.select(sql: "SELECT ? + 1, ? || '!', ? IS NULL",
                                     arguments: [.integer(41), .text("hi"), .null])
        XCTAssertEqual(table.rows, [[.integer(42), .text("hi!"), .integer(1)]])
        XCTAssertThrowsError(try store.select(sql: "SELECT ?", arguments: []))
    }

    func testRefusesWritesAndSessionChanges() throws {
        let f = try Fixture()
        try f.store.insertRun(f.run())
        let attempts = [
            "INSERT INTO models (key, family, params, path, format, sha256) VALUES ('k','llama',1,'p','gguf','s')",
            "UPDATE runs SET status = 'done'",
            "DELETE FROM runs",
            "DROP TABLE predictions",
            "PRAGMA foreign_keys = OFF",
            "PRAGMA query_only = 0",
            "ATTACH DATABASE ':memory:' AS other",
            "BEGIN",
            "CREATE TABLE t (x)",
            "  /* sneaky */ -- comment\n DELETE FROM runs",
            "WITH doomed AS (SELECT id FROM runs) DELETE FROM runs WHERE id IN doomed",
        ]
        for sql in attempts {
            XCTAssertStoreError(try f.store.select(sql: sql, arguments: []), sql) {
                if case .notReadOnly = $0 { return true } else { return false }
            }
        }
        XCTAssertEqual(try f.store.runs().count, 1)
        XCTAssertEqual(try f.store.models().count, 1)
        XCTAssertTrue(try f.store.tableNames().contains("predictions"))
        XCTAssertEqual(try f.store.select(sql: "SELECT foreign_keys FROM pragma_foreign_keys").rows,
                       [[.integer(1)]])
    }

    func testRefusesMultipleStatements() throws {
        let f = try Fixture()
        try f.store.insertRun(f.run())
        for sql in ["SELECT 1; DROP TABLE runs", "SELECT 1; SELECT 2", "SELECT 1; this is not sql"] {
            XCTAssertStoreError(try f.store.select(sql: sql, arguments: []), sql) { $0 == .multipleStatements }
        }
        XCTAssertEqual(try f.store.runs().count, 1)
        // A trailing semicolon or comment is still one statement.
        XCTAssertEqual(try f.store.select(sql: "SELECT 7; -- done\n").rows, [[.integer(7)]])
    }

    func testSQLErrorsAreOneLineWithSQLiteMessage() throws {
        let store = try ResultsStore(path: ":memory:")
        XCTAssertStoreError(try store.select(sql: "SELECT nope FROM runs", arguments: [])) {
            guard case let .sql(message) = $0 else { return false }
            return message.contains("no such column: nope") && !$0.description.contains("\n")
        }
    }

    func testInjectionInArgumentsIsLiteral() throws {
        let store = try ResultsStore(path: ":memory:")
        let evil = "x'); DROP TABLE runs; --"
        try store.upsertModel(ModelRecord(key: evil, family: "llama", params: 1, path: "/p",
                                          format: "gguf", sha256: "s"))
        XCTAssertEqual(try store.models().map(\.key), [evil])
        XCTAssertEqual(try store.int("SELECT count(*) FROM models WHERE key = ?", [.text(evil)]), 1)
        XCTAssertEqual(try store.int("SELECT count(*) FROM q_models WHERE model = ?", [.text("' OR 1=1 --")]), 0)
        XCTAssertTrue(try store.tableNames().contains("runs"))
    }
}

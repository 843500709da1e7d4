import Console
import Store
import TestSupport
import XCTest

/// User text never becomes SQL, `.sql` never writes, and bad input never stops the session.
final class SafetyTests: XCTestCase {
    func tableCounts(_ f: SessionFixture) throws -> [Int64] {
        let store = try ResultsStore(path: f.databasePath)
        return try ["models", "datasets", "runs", "predictions"].map { t in
            guard case .integer(let n) = try store.select(sql: "SELECT count(*) FROM \(t)").rows[0][0] else { return -1 }
            return n
        }
    }

    func testQuoteAndSemicolonInjectionLeavesEveryTableIntact() throws {
        let f = try SessionFixture()
        let before = try tableCounts(f)
        for attack in [#"runs where model = "x'; DROP TABLE runs; --""#,
                       #"runs where model = 'x''; DELETE FROM predictions; --'"#,
                       #"runs where task in ('a', "b\"); DROP TABLE models; --")"#,
                       #"predictions where output ~ "*'); DELETE FROM runs; --""#] {
            let r = f.run(attack)
            XCTAssertTrue(r.ok, "\(attack): \(r.err)")
            XCTAssertTrue(r.out.contains("(no rows)"), "\(attack) matched rows: \(r.out)")
        }
        XCTAssertEqual(try tableCounts(f), before)
    }

    func testRawSQLIsReadOnly() throws {
        let f = try SessionFixture()
        let before = try tableCounts(f)
        for write in [".sql DROP TABLE runs", ".sql DELETE FROM predictions", ".sql UPDATE runs SET accuracy = 1",
                      ".sql SELECT 1; DROP TABLE runs", ".sql PRAGMA foreign_keys = OFF"] {
            let r = f.run(write)
            XCTAssertFalse(r.ok, write)
            XCTAssertEqual(r.err.split(separator: "\n").count, 1, r.err)
        }
        XCTAssertEqual(try tableCounts(f), before)
        let r = f.run(".sql SELECT count(*) AS n FROM q_runs WHERE method = 'lora'")
        XCTAssertTrue(r.ok, r.err)
        XCTAssertTrue(r.out.contains("6"), r.out)
    }

    func testBadInputGetsOneLineAndTheSessionGoesOn() throws {
        let f = try SessionFixture()
        let cases: [(String, String)] = [
            (".frobnicate", "unknown command .frobnicate"),
            (".mdoe csv", "did you mean .mode"),
            (".read /nonexistent/script.ftl", "no such file"),
            (".output /nonexistent-dir/out.csv", "cannot write to '/nonexistent-dir/out.csv'"),
            (".mode xml", "expected one of table, markdown, latex, csv, json, line"),
            (".maxrows many", "expected a number"),
            (".headers maybe", "expected on or off"),
            (".help nonsense", "no topic 'nonsense'"),
        ]
        for (line, message) in cases {
            let r = f.run(line)
            XCTAssertFalse(r.ok, line)
            XCTAssertTrue(r.err.contains(message), "\(line): \(r.err)")
            XCTAssertEqual(r.err.split(separator: "\n").count, 1, "\(line): one line, got \(r.err)")
        }
        XCTAssertTrue(f.run("count by method").ok, "the session still answers")
    }

    func testOpeningANewerSchemaKeepsTheCurrentDatabase() throws {
        let f = try SessionFixture()
        let future = f.directory.path("future.sqlite")
        _ = try ResultsStore(path: future)
        // Mark it as written by a future ftlab.
        let marker = Process()
        marker.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        marker.arguments = ["sqlite3", future, "INSERT INTO grdb_migrations VALUES ('999_future')"]
        try marker.run(); marker.waitUntilExit()
        try XCTSkipIf(marker.terminationStatus != 0, "sqlite3 command-line tool not available")
        let r = f.run(".open \(future)")
        XCTAssertFalse(r.ok)
        XCTAssertTrue(r.err.contains("newer ftlab"), r.err)
        XCTAssertEqual(f.session.databasePath, f.databasePath)
        XCTAssertTrue(f.run("runs limit 1").out.contains("tiny-135m"))
    }

    /// Statements and dot-commands share a line through ';'; an error in a later statement
    /// points at its column in the whole line.
    func testMixedLineRunsInOrderAndPointsAtTheRightColumn() throws {
        let f = try SessionFixture()
        let ok = f.run("count by method; .mode csv; models select model")
        XCTAssertTrue(ok.ok, ok.err)
        XCTAssertTrue(ok.out.contains("zero_shot"), ok.out)
        let csvPart = try XCTUnwrap(ok.out.range(of: "model\r\n")).lowerBound
        XCTAssertEqual(Set(CSVParser.parse(String(ok.out[csvPart...])).dropFirst().map(\.[0])), ["tiny-135m", "mid-270m", "big-500m"])
        let bad = f.run("models; runs where acuracy > 0.1")
        XCTAssertFalse(bad.ok)
        XCTAssertTrue(bad.err.contains(" --> 1:20"), bad.err)
    }
}

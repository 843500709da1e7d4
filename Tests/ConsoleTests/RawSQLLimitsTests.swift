import Console
import Foundation
import Store
import TestSupport
import XCTest

/// `.sql` under limits: functions outside SQLite's core are refused, runaway queries stop on
/// Ctrl-C or at the time limit, giant values and giant results are errors, and the session
/// goes on after each.
final class RawSQLLimitsTests: XCTestCase {
    /// Never ends by itself: counts forever.
    static let endless = ".sql WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT max(x) FROM c"

    func testFunctionsOutsideTheAllowListAreRefusedBeforeRunning() throws {
        let f = try SessionFixture()
        for (line, name) in [(".sql SELECT fts3_tokenizer('simple')", "fts3_tokenizer"),
                             (".sql SELECT hex(fts3_tokenizer('porter')) FROM runs", "fts3_tokenizer"),
                             (".sql SELECT load_extension('/tmp/x.so')", "load_extension"),
                             (".sql SELECT sqlite_compileoption_get(0)", "sqlite_compileoption_get")] {
            let r = f.run(line)
            XCTAssertFalse(r.ok, line)
            XCTAssertTrue(r.err.contains("the function \(name)() is not allowed"), "\(line): \(r.err)")
        }
        // What analysis needs still works: aggregates, windows, JSON, dates, math.
        let r = f.run(".sql SELECT count(*) AS n, round(avg(accuracy), 3) AS a, max(json_extract(spec_json, '$.seed')) AS s, "
                      + "strftime('%Y', max(started_at)) > '2000' AS y, sum(row_number) AS w "
                      + "FROM (SELECT *, row_number() OVER (ORDER BY id) AS row_number FROM runs)")
        XCTAssertTrue(r.ok, r.err)
    }

    func testTimeLimitStopsARunawayQueryAndTheSessionGoesOn() throws {
        let f = try SessionFixture()
        XCTAssertTrue(f.run(".sqllimit seconds 1").ok)
        let started = Date()
        let r = f.run(Self.endless)
        XCTAssertFalse(r.ok)
        XCTAssertTrue(r.err.contains("query stopped after 1 s"), r.err)
        XCTAssertLessThan(Date().timeIntervalSince(started), 30, "stopped by the limit, not by exhaustion")
        XCTAssertTrue(f.run(".sql SELECT 42 AS answer").out.contains("42"))
    }

    func testGiantValuesAndGiantResultsAreErrorsNotAllocations() throws {
        let f = try SessionFixture()
        var r = f.run(".sql SELECT length(randomblob(900000000))")
        XCTAssertFalse(r.ok)
        XCTAssertTrue(r.err.contains("larger than 16777216 bytes"), r.err)
        XCTAssertTrue(f.run(".sqllimit rows 5").ok)
        r = f.run(".sql WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 10) SELECT x FROM c")
        XCTAssertFalse(r.ok)
        XCTAssertTrue(r.err.contains("more than 5 rows"), r.err)
        r = f.run(".sql WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 5) SELECT x FROM c")
        XCTAssertTrue(r.ok, r.err)
        for bad in [".sqllimit rows", ".sqllimit minutes 3", ".sqllimit seconds -1", ".sqllimit bytes 2000000000"] {
            XCTAssertFalse(f.run(bad).ok, bad)
        }
        XCTAssertTrue(f.run(".sqllimit").ok)
    }

    /// The real signal path: SIGINT to the process while a query runs interrupts that query,
    /// and the next statement still runs.
    func testCtrlCInterruptsTheQueryNotTheProgram() throws {
        guard let url = FtlabBinary.url else { throw XCTSkip("the ftlab executable was not built beside the tests") }
        let f = try SessionFixture()
        let p = Process()
        p.executableURL = url
        p.arguments = ["--db", f.databasePath]
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        input.fileHandleForWriting.write(Data(".bail off\n\(Self.endless)\n.sql SELECT 6 * 7 AS answer\n".utf8))
        try input.fileHandleForWriting.close()
        Thread.sleep(forTimeInterval: 1.5)
        p.interrupt()
        let o = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertTrue(e.contains("query interrupted"), e)
        XCTAssertTrue(o.contains("42"), "the statement after the interrupted query ran: \(o) \(e)")
    }

    func testTheStoreAPIStopsWhenAskedAndRestoresTheConnection() throws {
        let store = try ResultsStore(path: ":memory:")
        let started = Date()
        XCTAssertThrowsError(try store.select(sql: String(Self.endless.dropFirst(5)),
                                              limits: QueryLimits(shouldStop: { Date().timeIntervalSince(started) > 0.2 }))) {
            XCTAssertTrue("\($0)".contains("query interrupted"), "\($0)")
        }
        // The length limit and the progress handler are gone afterwards: ordinary reads work.
        let table = try store.select(sql: "SELECT length(randomblob(20000000)) AS n")
        XCTAssertEqual(table.rows.first?.first, .integer(20_000_000))
    }
}

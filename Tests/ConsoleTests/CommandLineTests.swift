import Foundation
import Store
import TestSupport
import XCTest

/// The `ftlab` binary driven the way a researcher's script drives it: `-c` and standard input.
final class CommandLineTests: XCTestCase {
    var directory: TemporaryDirectory!
    var db: String!
    var summary: SeedSummary!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(prefix: "ftlab-cli")
        db = directory.path("cli.sqlite")
        summary = try SeedData.populate(ResultsStore(path: db))
    }

    func testDashCPrintsTheFilteredRows() throws {
        let r = try FtlabBinary.run(["--db", db, "-c", ".mode csv; runs where method in (lora, dora) and accuracy > 0.1 order by accuracy desc limit 3"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stderr, "")
        let rows = CSVParser.parse(r.stdout)
        guard rows.count == 4 else { return XCTFail("expected a header and 3 rows: \(r.stdout)") }
        let column = try XCTUnwrap(rows[0].firstIndex(of: "accuracy"))
        let expected = summary.runs.filter { ($0.method == .lora || $0.method == .dora) && $0.accuracy > 0.1 }
            .map(\.accuracy).sorted(by: >).prefix(3)
        XCTAssertEqual(rows.dropFirst().map { Double($0[column])! }, Array(expected))
    }

    /// A statement may begin with `-` (a comment): it is the value of -c, not an option.
    func testDashCStatementBeginningWithADashIsAStatement() throws {
        let r = try FtlabBinary.run(["--db", db, "-c", "-- the lora runs\n.mode csv; count by method where method = lora"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("lora"), r.stdout)
        let after = try FtlabBinary.run(["-c", "-- first\nruns limit 1", "--db", db])
        XCTAssertEqual(after.status, 0, after.stderr)
    }

    func testSyntaxErrorPutsTheCaretUnderTheColumnAndExitsNonZero() throws {
        let r = try FtlabBinary.run(["--db", db, "-c", "runs where acuracy > 0.1"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertEqual(r.stdout, "")
        let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let echo = try XCTUnwrap(lines.firstIndex { $0.hasSuffix("runs where acuracy > 0.1") })
        let caretLine = lines[echo + 1]
        let echoed = lines[echo]
        let column = echoed.distance(from: echoed.startIndex, to: echoed.range(of: "acuracy")!.lowerBound)
        let caretColumn = caretLine.distance(from: caretLine.startIndex, to: caretLine.firstIndex(of: "^")!)
        XCTAssertEqual(caretColumn, column, r.stderr)
        XCTAssertTrue(r.stderr.contains("accuracy"), "did-you-mean names the field: \(r.stderr)")
        XCTAssertTrue(r.stderr.contains("1:12"), r.stderr)
    }

    func testScriptOnStandardInputStopsAtFirstErrorWithItsLine() throws {
        let script = "count by method\nruns where method = lroa\nruns\n"
        let r = try FtlabBinary.run(["--db", db], stdin: script)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("<stdin>:2:"), r.stderr)
        XCTAssertTrue(r.stdout.contains("zero_shot"), "the first statement ran: \(r.stdout)")
        XCTAssertFalse(r.stdout.contains("tiny-135m"), "the statement after the error did not run")
    }

    func testNewerSchemaDatabaseIsRefusedWithOneLine() throws {
        let r0 = try FtlabBinary.run(["--db", db, "-c", ".sql SELECT count(*) FROM runs"])
        XCTAssertEqual(r0.status, 0)
        // Simulate a database written by a future ftlab.
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sqlite.arguments = ["sqlite3", db, "INSERT INTO grdb_migrations VALUES ('999_future')"]
        try sqlite.run(); sqlite.waitUntilExit()
        try XCTSkipIf(sqlite.terminationStatus != 0, "sqlite3 command-line tool not available")
        let r = try FtlabBinary.run(["--db", db, "-c", "runs"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("999_future"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
    }

    /// Help prose is wrapped by the terminal's width, not broken in the source: on a very wide
    /// terminal no overview line is cut mid-sentence (a line followed by one starting in lower
    /// case), for `ftlab` and every subcommand it lists.
    func testHelpProseIsNotHardWrapped() throws {
        let wide = ["COLUMNS": "1000"]
        let top = try FtlabBinary.run(["--help"], environment: wide)
        XCTAssertEqual(top.status, 0, top.stderr)
        let subcommands = top.stdout.components(separatedBy: "SUBCOMMANDS:").last!
            .split(separator: "\n").compactMap { line -> String? in
                let words = line.split(separator: " ")
                guard line.hasPrefix("  "), !line.hasPrefix("   "), let first = words.first, first != "See" else { return nil }
                return String(first)
            }
        XCTAssertTrue(subcommands.contains("work") && subcommands.contains("merge"), top.stdout)
        for command in [[]] + subcommands.map({ [$0] }) {
            let r = try FtlabBinary.run(command + ["--help"], environment: wide)
            XCTAssertEqual(r.status, 0, "\(command): \(r.stderr)")
            guard let overview = r.stdout.components(separatedBy: "USAGE:").first else { continue }
            let lines = overview.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            for (line, next) in zip(lines, lines.dropFirst()) where !line.isEmpty {
                XCTAssertFalse(next.first?.isLowercase ?? false,
                               "ftlab \(command.joined()) --help breaks a sentence: \"\(line)\" / \"\(next)\"")
            }
        }
    }
}

import Foundation
import Store
import TestSupport
import XCTest

/// `cancel` end to end with the real binary (SmolLM2-135M, synthetic task, tiny runs): a study
/// shrunk part-way. The cancelled training and its evaluations are never claimed by `work`, typing
/// the sweep again does not queue them anew, the report says what was dropped and why, and
/// `resume run N` still runs a cancelled run.
final class CancelRunsConsoleTests: XCTestCase {
    static let model = EvalKillResumeTests.model

    func testAShrunkSweepSkipsTheCancelledRunsAndItsReportSaysWhy() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Self.model), "SmolLM2-135M not at \(Self.model)")
        let dir = try TemporaryDirectory(prefix: "ftlab-cancel")
        let db = dir.path("cancel.sqlite")
        let sweep = "sweep smollm2-135m-instruct on synthetic with lora steps 2 batch 2 seq 64 seeds 0..1 "
            + "then eval on synthetic limit 4 then eval on synthetic split train limit 3 name grid"
        let planned = try FtlabBinary.run(["--db", db, "-c", sweep])
        XCTAssertEqual(planned.status, 0, planned.stderr)
        XCTAssertTrue(planned.stdout.contains("2 runs — 2 queued, 2 evaluations of tuned models queued"), planned.stdout)
        // Runs: 1 lora seed 0 and 2 its extra evaluation, 3 lora seed 1 and 4 its extra evaluation (the
        // first evaluation of each runs as part of its training: a child made when the training ends).
        let store = try ResultsStore(path: db)
        XCTAssertEqual(try store.runs().map(\.parentRunID), [nil, 1, nil, 3])

        let cancel = try FtlabBinary.run(["--db", db, "-c", "cancel runs where seed = 1 and kind = train because 'protocol shrunk: seed 1 dropped'"])
        XCTAssertEqual(cancel.status, 0, cancel.stderr)
        XCTAssertEqual(cancel.stdout, "cancelled 1 run (3) and 1 evaluation of cancelled trainings (4)\n")
        let listed = try FtlabBinary.run(["--db", db, "-c", ".mode csv\nruns where status = cancelled select id, error"])
        XCTAssertEqual(listed.stdout.replacingOccurrences(of: "\r\n", with: "\n"), "id,error\n3,protocol shrunk: seed 1 dropped\n4,protocol shrunk: seed 1 dropped\n")
        let sweeps = try FtlabBinary.run(["--db", db, "-c", ".mode csv\nsweeps select name, queued, cancelled"])
        XCTAssertEqual(sweeps.stdout.replacingOccurrences(of: "\r\n", with: "\n"), "name,queued,cancelled\ngrid,2,2\n")

        let work = try FtlabBinary.run(["work", "--db", db])
        XCTAssertEqual(work.status, 0, work.stderr)
        let runs = try store.runs()
        XCTAssertEqual(runs.map(\.status), [.done, .done, .cancelled, .cancelled, .done], runs.map { "\($0.id!) \($0.kind)" }.joined(separator: ", "))
        XCTAssertEqual(runs.last?.parentRunID, 1, "run 5: the seed-0 training's own evaluation")

        let selection = try FtlabBinary.run(["--db", db, "-c", "cancel runs where kind = train"])
        XCTAssertEqual(selection.stdout, "nothing cancelled\nleft alone: 1 already done, 1 already cancelled\n")
        let none = try FtlabBinary.run(["--db", db, "-c", "cancel runs where seed = 7"])
        XCTAssertEqual(none.stdout, "no run matches: nothing cancelled\n")
        let cancelDone = try FtlabBinary.run(["--db", db, "-c", "cancel run 1, 3, 99"])
        XCTAssertEqual(cancelDone.stdout, "nothing cancelled\nrun 1 left alone: already done\nrun 3 left alone: already cancelled\nno run with id 99\n")

        let again = try FtlabBinary.run(["--db", db, "-c", sweep])
        XCTAssertTrue(again.stdout.contains("nothing to queue, 1 already done (runs 1), 1 cancelled (runs 3; `resume run N` runs one)"), again.stdout)

        // A condition queued and not run yet: its cell says so.
        let queued = try FtlabBinary.run(["--db", db, "-c", "sweep smollm2-135m-instruct on synthetic with dora steps 2 batch 2 seq 64 then eval on synthetic limit 4"])
        XCTAssertEqual(queued.status, 0, queued.stderr)
        let reportDir = dir.path("report")
        let report = try FtlabBinary.run(["--db", db, "-c", "report negative-transfer to \(reportDir) format md"])
        XCTAssertEqual(report.status, 0, report.stderr)
        let markdown = try String(contentsOfFile: reportDir + "/report.md", encoding: .utf8)
        XCTAssertTrue(markdown.contains("Cancelled before they finished, 1 run (and 1 evaluation of them) — protocol shrunk: seed 1 dropped: "
                                        + "3 (smollm2-135m-instruct lora lr 0.0002 seed 1)."), markdown)
        XCTAssertTrue(markdown.contains("| model | params | lora | dora |"), markdown)
        XCTAssertTrue(markdown.contains("| *queued* |"), markdown)

        // `resume run N` runs a cancelled run after all (the training, then its evaluation).
        let resumed = try FtlabBinary.run(["--db", db, "-c", "resume run 3"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(try store.run(id: 3)?.status, .done)
        XCTAssertNil(try store.run(id: 3)?.error, "the reason goes once the run has run")
    }
}

@testable import Console
import Foundation
import QueryLanguage
import Reports
import Store
import TestSupport
import XCTest

/// `report …` and `compare …` through the session and through `ftlab -c`, on the seeded database.
final class ReportCommandConsoleTests: XCTestCase {
    var fixture: SessionFixture!

    override func setUpWithError() throws { fixture = try SessionFixture() }

    private func run(model: String, method: RunMethod, seed: Int64) throws -> SeedSummary.Run {
        try XCTUnwrap(fixture.summary.runs.first { $0.modelKey == model && $0.method == method && $0.seed == seed })
    }

    func testDashCReportNegativeTransferWritesTheFiles() throws {
        let out = fixture.directory.path("nt report")
        let r = try FtlabBinary.run(["--db", fixture.databasePath, "-c", "report negative-transfer to '\(out)'"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stderr, "")
        XCTAssertTrue(r.stdout.hasPrefix("wrote report.md, runs.csv, summary.csv, depth.csv, accuracy.svg, delta.svg, report.tex, "
                                          + "table-accuracy.tex, table-delta.tex, table-thresholds.tex, table-depth.tex, accuracy.pdf, delta.pdf to \(out)"), r.stdout)
        for name in ReportFiles.names() {
            let data = try XCTUnwrap(FileManager.default.contents(atPath: out + "/" + name), name)
            // depth.csv is only its header here: the seeded runs' dataset hash is no data file's.
            XCTAssertGreaterThan(data.count, name == "depth.csv" ? 80 : 200, name)
        }
        let markdown = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
        XCTAssertTrue(markdown.hasPrefix("# Negative transfer report"))
        // One CSV row per seeded run, plus the header.
        let rows = CSVParser.parse(try String(contentsOfFile: out + "/runs.csv", encoding: .utf8))
        XCTAssertEqual(rows.count, fixture.summary.runs.count + 1)
        let accuracy = try XCTUnwrap(rows[0].firstIndex(of: "accuracy")), id = try XCTUnwrap(rows[0].firstIndex(of: "run_id"))
        for row in rows.dropFirst() {
            let seeded = try XCTUnwrap(fixture.summary.runs.first { String($0.id) == row[id] })
            XCTAssertEqual(Double(row[accuracy])!, seeded.accuracy, accuracy: 1e-12)
        }
    }

    func testWhereSelectsRunsAndKeepsTheZeroShotBaseline() throws {
        let out = fixture.directory.path("thr")
        let r = fixture.run("report thresholds where method = full and model != big-500m to \(out)")
        XCTAssertTrue(r.ok, r.err)
        XCTAssertTrue(r.out.contains("full on gsm8k (test):"), r.out)
        let rows = CSVParser.parse(try String(contentsOfFile: out + "/summary.csv", encoding: .utf8))
        let model = rows[0].firstIndex(of: "model")!, method = rows[0].firstIndex(of: "method")!
        XCTAssertEqual(Set(rows.dropFirst().map { "\($0[model]) \($0[method])" }),
                       ["tiny-135m zero_shot", "tiny-135m full", "mid-270m zero_shot", "mid-270m full"])
        let markdown = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
        XCTAssertTrue(markdown.contains("`where method = full and model != big-500m`"), "the selection is in the provenance")
    }

    func testAddedBaselineIsTheZeroShotRunOnTheSelectedExamples() throws {
        // A second, smaller zero-shot run of tiny-135m (examples 0…4, all right) must not enter
        // the baseline of `where method = full`, whose runs scored all 20 examples.
        let store = try ResultsStore(path: fixture.databasePath)
        let tiny = try XCTUnwrap(fixture.summary.modelIDs["tiny-135m"])
        let small = try store.insertRun(RunRecord(specHash: "z5", modelID: tiny, datasetID: fixture.summary.datasetID,
                                                  method: .zeroShot, kind: .eval, seed: 0, engineVersion: "x", host: "h"))
        try store.insertPredictions((0..<5).map { PredictionRecord(runID: small, exampleIndex: $0, output: "o", gold: "g", correct: true) })
        try store.finishRun(id: small, status: .done)

        let out = fixture.directory.path("baseline")
        let r = fixture.run("report negative-transfer where method = full and model = tiny-135m to \(out)")
        XCTAssertTrue(r.ok, r.err)
        let rows = CSVParser.parse(try String(contentsOfFile: out + "/runs.csv", encoding: .utf8))
        let id = try XCTUnwrap(rows[0].firstIndex(of: "run_id"))
        let expected = fixture.summary.runs.filter { $0.modelKey == "tiny-135m" && ($0.method == .full || $0.method == .zeroShot) }
        XCTAssertEqual(Set(rows.dropFirst().map { $0[id] }), Set(expected.map { String($0.id) }))

        // Selected on its own, the small run is its own baseline and the 20-example ones stay out.
        let alone = fixture.directory.path("alone")
        XCTAssertTrue(fixture.run("report negative-transfer where id = \(small) to \(alone)").ok)
        let aloneRows = CSVParser.parse(try String(contentsOfFile: alone + "/runs.csv", encoding: .utf8))
        XCTAssertEqual(aloneRows.dropFirst().map { $0[id] }, [String(small)])
    }

    func testARepeatedSpecCountsOnceByItsNewestRun() throws {
        // Re-running tiny-135m's seed-1 zero-shot spec: the newer run replaces the older one in
        // the report instead of entering the means as a second seed.
        let store = try ResultsStore(path: fixture.databasePath)
        let old = try run(model: "tiny-135m", method: .zeroShot, seed: 1)
        let oldRecord = try XCTUnwrap(try store.run(id: old.id))
        let repeated = try store.insertRun(RunRecord(specHash: oldRecord.specHash, modelID: oldRecord.modelID,
                                                     datasetID: oldRecord.datasetID, method: .zeroShot, kind: .eval,
                                                     seed: 1, engineVersion: "x", host: "h"))
        try store.insertPredictions((0..<20).map { PredictionRecord(runID: repeated, exampleIndex: $0, output: "o", gold: "g", correct: true) })
        try store.finishRun(id: repeated, status: .done)

        let out = fixture.directory.path("repeat")
        XCTAssertTrue(fixture.run("report negative-transfer where model = tiny-135m to \(out)").ok)
        let rows = CSVParser.parse(try String(contentsOfFile: out + "/runs.csv", encoding: .utf8))
        let id = try XCTUnwrap(rows[0].firstIndex(of: "run_id"))
        let ids = Set(rows.dropFirst().map { $0[id] })
        XCTAssertTrue(ids.contains(String(repeated)))
        XCTAssertFalse(ids.contains(String(old.id)), "the older run of the same spec is left out")
        XCTAssertEqual(ids.count, fixture.summary.runs.filter { $0.modelKey == "tiny-135m" }.count)
        let markdown = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
        XCTAssertTrue(markdown.contains("left out: \(old.id) (same spec as run \(repeated))."), markdown)
    }

    func testDefaultFolderIsUnderReportsOutAndTheDateIsInjected() throws {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        XCTAssertEqual(Session.defaultReportDirectory(kind: .negativeTransfer, now: now),
                       "Reports/out/20231114-221320-negative-transfer")
        let out = fixture.directory.path("dated")
        try fixture.session.writeStudy(ReportStudy(kind: .thresholds, directory: out), now: now)
        let markdown = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
        XCTAssertTrue(markdown.contains("- Report generated: 2023-11-14T22:13:20Z"), markdown)
    }

    func testCompareCountsMatchTheSeededOutcomes() throws {
        let a = try run(model: "tiny-135m", method: .zeroShot, seed: 1)
        let b = try run(model: "tiny-135m", method: .full, seed: 1)
        let pairs = zip(a.outcomes, b.outcomes)
        let both = pairs.filter { $0 && $1 }.count, aOnly = pairs.filter { $0 && !$1 }.count
        let bOnly = pairs.filter { !$0 && $1 }.count, neither = pairs.filter { !$0 && !$1 }.count
        let r = fixture.run("compare run \(a.id) with run \(b.id)")
        XCTAssertTrue(r.ok, r.err)
        XCTAssertEqual(r.err, "")
        let lines = r.out.components(separatedBy: "\n")
        func value(_ label: String) -> String? {
            lines.first { $0.hasPrefix(label + " ") }.map { String($0.dropFirst(label.count)).trimmingCharacters(in: .whitespaces) }
        }
        XCTAssertEqual(value("both right"), String(both))
        XCTAssertEqual(value("A only"), String(aOnly))
        XCTAssertEqual(value("B only"), String(bOnly))
        XCTAssertEqual(value("both wrong"), String(neither))
        let delta = Double(bOnly - aOnly) / Double(a.outcomes.count)
        XCTAssertTrue(r.out.contains("Δ (B − A)    \(Format.signed(delta))"), r.out)
        XCTAssertTrue(r.out.contains("exact p = \(Format.pValue(McNemar.exactPValue(b: aOnly, c: bOnly)))"), r.out)
        XCTAssertTrue(r.out.contains("Flips right in A, wrong in B: \(aOnly)"), r.out)
        // Each listed flip names the question and both outputs.
        if let first = a.outcomes.indices.first(where: { a.outcomes[$0] && !b.outcomes[$0] }) {
            XCTAssertTrue(r.out.contains("  #\(first)  Question \(first)?"), r.out)
        }
    }

    func testReportRunPrintsAccuracyWithInterval() throws {
        let a = try run(model: "mid-270m", method: .lora, seed: 2)
        let r = fixture.run("report run \(a.id)")
        XCTAssertTrue(r.ok, r.err)
        let interval = Wilson.interval(correct: a.correct, n: a.n)
        XCTAssertTrue(r.out.contains("accuracy   \(Format.fixed(a.accuracy))  (\(a.correct)/\(a.n))  Wilson 95 % \(Format.interval(interval))"), r.out)
        XCTAssertTrue(r.out.hasPrefix("run \(a.id): mid-270m (268M) · lora · eval · gsm8k (test) · seed 2 · done"), r.out)
    }

    func testTrainingRunIsScoredByItsEvaluationChild() throws {
        let store = try ResultsStore(path: fixture.databasePath)
        let tiny = try XCTUnwrap(fixture.summary.modelIDs["tiny-135m"])
        let train = try store.insertRun(RunRecord(specHash: "t", modelID: tiny, datasetID: fixture.summary.datasetID,
                                                  method: .full, kind: .train, lr: 3e-5, seed: 7, engineVersion: "x", host: "h"))
        try store.finishRun(id: train, status: .done)
        let child = try store.insertRun(RunRecord(specHash: "e", parentRunID: train, modelID: tiny, datasetID: fixture.summary.datasetID,
                                                  method: .full, kind: .eval, seed: 0, engineVersion: "x", host: "h"))
        try store.insertPredictions((0..<20).map { PredictionRecord(runID: child, exampleIndex: $0, output: "o", gold: "g", correct: $0 < 3) })
        try store.finishRun(id: child, status: .done)

        let card = fixture.run("report run \(train)")
        XCTAssertTrue(card.out.contains("accuracy   none"), card.out)
        XCTAssertTrue(card.out.contains("child      run \(child) (full eval, done"), card.out)
        let childCard = fixture.run("report run \(child)")
        XCTAssertTrue(childCard.out.contains("parent     run \(train) (full train, done"), childCard.out)
        XCTAssertTrue(childCard.out.contains("seed 7"), "the training run's seed: \(childCard.out)")

        let out = fixture.directory.path("chain")
        XCTAssertTrue(fixture.run("report negative-transfer where id = \(train) to \(out)").ok)
        let rows = CSVParser.parse(try String(contentsOfFile: out + "/runs.csv", encoding: .utf8))
        let header = rows[0]
        let row = try XCTUnwrap(rows.first { $0[header.firstIndex(of: "run_id")!] == String(child) })
        XCTAssertEqual(row[header.firstIndex(of: "training_run_id")!], String(train))
        XCTAssertEqual(row[header.firstIndex(of: "seed")!], "7")
        XCTAssertEqual(row[header.firstIndex(of: "method")!], "full")
        XCTAssertEqual(row[header.firstIndex(of: "correct")!], "3")
    }

    func testBadInputsAreOneLineErrors() throws {
        let store = try ResultsStore(path: fixture.databasePath)
        let svamp = try store.upsertDataset(DatasetRecord(task: "svamp", split: "test", size: 2, sha256: "s"))
        let other = try store.insertRun(RunRecord(specHash: "s", modelID: fixture.summary.modelIDs["tiny-135m"]!, datasetID: svamp,
                                                  method: .zeroShot, engineVersion: "x", host: "h"))
        try store.insertPredictions([PredictionRecord(runID: other, exampleIndex: 0, output: "o", gold: "g", correct: true)])
        try store.finishRun(id: other, status: .done)

        let cases: [(String, String)] = [
            ("compare run 1 with run 999", "error: no run with id 999\n"),
            ("report run 999", "error: no run with id 999\n"),
            ("compare run 1 with run \(other)", "error: run 1 is on gsm8k (test) and run \(other) on svamp (test); only runs on the same task and split can be paired\n"),
            ("report negative-transfer where model = nosuch", "error: no runs match `where model = nosuch`\n"),
        ]
        for (line, expected) in cases {
            let r = fixture.run(line)
            XCTAssertFalse(r.ok, line)
            XCTAssertEqual(r.err, expected, line)
            XCTAssertEqual(r.out, "", line)
        }
        let parse = fixture.run("report negative-transfr")
        XCTAssertFalse(parse.ok)
        XCTAssertTrue(parse.err.contains("did you mean `negative-transfer`"), parse.err)
        XCTAssertTrue(parse.err.contains("       ^~~~~~~~~~~~~~~~"), "caret under the word: \(parse.err)")
    }

    func testHelpAndCompletionKnowTheNewWords() {
        XCTAssertTrue(fixture.run(".help").out.contains("compare run A with run B"))
        XCTAssertTrue(fixture.run(".help reports").out.contains("report thresholds [where EXPR] [to DIR]"))
        let s = fixture.session
        XCTAssertTrue(s.completions(line: "rep", word: "rep", start: 0).contains("report"))
        XCTAssertEqual(s.completions(line: "report ", word: "", start: 7), ["negative-transfer", "thresholds", "run"])
        XCTAssertEqual(s.completions(line: "report thresholds ", word: "", start: 18), ["where", "to", "format"])
        XCTAssertEqual(s.completions(line: "report thresholds format ", word: "", start: 25), ["md", "latex", "all"])
        XCTAssertEqual(s.completions(line: "compare run 1 w", word: "w", start: 14), ["with"])
        XCTAssertTrue(s.completions(line: "compare run 1 with run 1", word: "1", start: 23).contains("10"))
        XCTAssertTrue(s.completions(line: "report negative-transfer where meth", word: "meth", start: 31).contains("method"))
    }
}

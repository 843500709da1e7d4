import Foundation
import Store
import TestSupport
import XCTest
@testable import Console

/// `ftlab work --estimate`: the compute left per sweep, timed by the rates this database measured
/// (SmolLM2-135M, synthetic task, release build). What it must get right: only work left counts
/// (predictions already stored, finished and cancelled runs), a measured rate is used where the
/// database has one and the fallback is said where it has not, the filters select as `work`
/// does, and nothing is run.
final class QueueEstimateTests: XCTestCase {
    static let model = EvalKillResumeTests.model

    func testEstimateTimesWhatIsLeftByMeasuredRates() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Self.model), "SmolLM2-135M not at \(Self.model)")
        let dir = try TemporaryDirectory(prefix: "ftlab-estimate")
        let db = dir.path("estimate.sqlite")
        func ftlab(_ arguments: [String]) throws -> String {
            let result = try FtlabBinary.run(arguments)
            XCTAssertEqual(result.status, 0, "\(arguments): \(result.stderr)")
            return result.stdout
        }
        func row(_ table: String, _ name: String) -> [String] {
            let line = table.split(separator: "\n").first { $0.hasPrefix(name + " ") }.map(String.init) ?? ""
            // name, runs, trainings, "≈ N unit", measured "k of n": split on runs of 2+ spaces.
            return line.components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }

        _ = try ftlab(["--db", db, "-c", "sweep smollm2-135m-instruct on synthetic with zero-shot limit 8 name measured"])
        _ = try ftlab(["--db", db, "-c", "sweep smollm2-135m-instruct on synthetic with zero-shot limit 24 max-tokens 40 name later"])
        _ = try ftlab(["--db", db, "-c", "sweep smollm2-135m-instruct on synthetic with lora steps 4 batch 2 seq 64 then eval on synthetic limit 4 name tuned"])

        // Nothing measured yet: every run is timed by the reference heuristics, and said so.
        let before = try ftlab(["work", "--db", db, "--estimate"])
        XCTAssertEqual(row(before, "measured").last, "0 of 1", before)
        XCTAssertEqual(row(before, "total").prefix(3), ["total", "3", "1"], before)
        XCTAssertTrue(try ResultsStore(path: db).runs().allSatisfy { $0.status == .queued }, "--estimate runs nothing")

        let work = try FtlabBinary.run(["work", "--db", db, "--sweep", "measured"])
        XCTAssertEqual(work.status, 0, work.stderr)
        XCTAssertTrue(work.stderr.contains("queue: 1 run left (0 trainings)"), "work starts with the queue's size: \(work.stderr)")

        // Part of `later` already stored (as a resumed run would have it): only the rest is left.
        let store = try ResultsStore(path: db)
        let measuredRun = try XCTUnwrap(try store.runs().first { $0.sweepID == 1 })
        XCTAssertEqual(measuredRun.status, .done)
        let wall = try XCTUnwrap(measuredRun.wallSeconds)
        let laterID = try XCTUnwrap(try store.runs().first { $0.sweepID == 2 }?.id)
        try store.insertPredictions((0..<6).map {
            PredictionRecord(runID: laterID, exampleIndex: $0, output: "1", gold: "1", correct: true)
        })

        let after = try ftlab(["work", "--db", db, "--estimate"])
        XCTAssertTrue(row(after, "measured").isEmpty, "a finished sweep has nothing left: \(after)")
        XCTAssertEqual(row(after, "later"), ["later", "1", "0", SweepTimeEstimate.describe(Double(24 - 6) * (wall / 8)), "1 of 1"],
                       "18 examples left at the measured \(wall) s per 8: \(after)")
        // No training measured: the training is timed by the heuristics, so the row says 0 of 1.
        XCTAssertEqual(row(after, "tuned").prefix(3), ["tuned", "1", "1"], after)
        XCTAssertEqual(row(after, "tuned").last, "0 of 1", after)

        // The filters select as `work` does; cancelled runs are no work left.
        let onlyLater = try ftlab(["work", "--db", db, "--estimate", "--sweep", "later"])
        XCTAssertEqual(row(onlyLater, "total").prefix(3), ["total", "1", "0"], onlyLater)
        XCTAssertTrue(row(onlyLater, "tuned").isEmpty, onlyLater)
        _ = try ftlab(["--db", db, "-c", "cancel runs where kind = train because 'not needed'"])
        let cancelled = try ftlab(["work", "--db", db, "--estimate"])
        XCTAssertTrue(row(cancelled, "tuned").isEmpty, "a cancelled training and its evaluation are not work left: \(cancelled)")
        _ = try ftlab(["--db", db, "-c", "cancel runs where kind = eval and status = queued"])
        XCTAssertEqual(try ftlab(["work", "--db", db, "--estimate"]), "nothing left to run\n")

        let unknown = try FtlabBinary.run(["work", "--db", db, "--estimate", "--sweep", "nope"])
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.stderr.contains("nope"), unknown.stderr)
    }
}

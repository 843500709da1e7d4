import Console
import Store
import TestSupport
import XCTest

/// The query language end to end on a seeded database: the rows printed are the rows the seed
/// data implies, computed here without SQL.
final class QueryOutputTests: XCTestCase {
    func testFilteredOrderedLimitedRunsAreTheTopThreeAdapterRuns() throws {
        let f = try SessionFixture()
        let rows = f.csv("runs select id, method, accuracy where method in (lora, dora) and accuracy > 0.1 order by accuracy desc limit 3")
        XCTAssertEqual(rows.first, ["id", "method", "accuracy"])
        let printed = rows.dropFirst()
        XCTAssertEqual(printed.count, 3)

        let eligible = f.summary.runs.filter { ($0.method == .lora || $0.method == .dora) && $0.accuracy > 0.1 }
        let expectedAccuracies = eligible.map(\.accuracy).sorted(by: >).prefix(3)
        XCTAssertEqual(printed.map { Double($0[2])! }, Array(expectedAccuracies))
        for row in printed {
            let run = try XCTUnwrap(f.summary.runs.first { $0.id == Int64(row[0])! })
            XCTAssertTrue(run.method == .lora || run.method == .dora)
            XCTAssertEqual(run.method.rawValue, row[1])
            XCTAssertEqual(run.accuracy, Double(row[2])!, accuracy: 1e-12)
        }
    }

    func testAccuracyPivotLongFormMatchesSeedMeans() throws {
        let f = try SessionFixture()
        let rows = f.csv("accuracy by model, method")
        XCTAssertEqual(rows.first, ["model", "method", "accuracy", "n"])
        XCTAssertEqual(rows.count - 1, SeedData.models.count * SeedData.methods.count)
        for row in rows.dropFirst() {
            let method = try XCTUnwrap(RunMethod(rawValue: row[1]))
            XCTAssertEqual(Double(row[2])!, f.summary.meanAccuracy(model: row[0], method: method), accuracy: 1e-12, "\(row)")
            XCTAssertEqual(Int(row[3]), SeedData.seeds.count)
        }
        // Models by size, methods in the canonical order.
        XCTAssertEqual(rows.dropFirst().map(\.[0]).uniqued(), SeedData.models.map(\.key))
        XCTAssertEqual(Array(rows.dropFirst().map(\.[1]).prefix(5)), ["zero_shot", "few_shot", "full", "lora", "dora"])
    }

    func testAccuracyPivotLeavesOutUnfinishedRunsUnlessAskedFor() throws {
        let f = try SessionFixture()
        // An interrupted copy of a tiny-135m LoRA run that got its first 3 questions right.
        let store = try ResultsStore(path: f.databasePath)
        var partial = try XCTUnwrap(try store.run(id: f.summary.runs.first { $0.modelKey == "tiny-135m" && $0.method == .lora }!.id))
        partial.id = nil
        partial.uuid = "partial-run"
        partial.specHash = "partial-spec"
        let id = try store.insertRun(partial)
        try store.finishRun(id: id, status: .interrupted, summary: RunSummary(n: 3, correct: 3, accuracy: 1.0))

        let finished = f.csv("accuracy by model, method where model = tiny-135m and method = lora")
        XCTAssertEqual(finished.dropFirst().map { Double($0[2])! }, [f.summary.meanAccuracy(model: "tiny-135m", method: .lora)])
        XCTAssertEqual(finished.dropFirst().map(\.[3]), ["\(SeedData.seeds.count)"])
        let interrupted = f.csv("accuracy by model, method where model = tiny-135m and status = interrupted")
        XCTAssertEqual(interrupted.dropFirst().map { Array($0) }, [["tiny-135m", "lora", "1.0", "1"]])
    }

    func testAccuracyPivotTableHasMethodColumnsAndMeanCells() throws {
        let f = try SessionFixture()
        f.session.options.mode = .markdown
        let out = f.run("accuracy by model, method").out
        let lines = out.split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        XCTAssertEqual(header, ["model", "zero_shot", "few_shot", "full", "lora", "dora"])
        let tiny = try XCTUnwrap(lines.first { $0.contains("tiny-135m") })
        let cells = tiny.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        let mean = f.summary.meanAccuracy(model: "tiny-135m", method: .lora)
        XCTAssertEqual(cells[4], String(format: "%.3f", mean) + " (n=2)", "accuracy: 3 decimals")
    }

    func testCountPivot() throws {
        let f = try SessionFixture()
        let rows = f.csv("count by method where model = tiny-135m")
        XCTAssertEqual(rows.first, ["method", "count"])
        XCTAssertEqual(rows.dropFirst().map(\.[1]), Array(repeating: "2", count: 5))
    }

    func testPredictionsOfRun() throws {
        let f = try SessionFixture()
        let run = f.summary.runs[7]
        let rows = f.csv("predictions of run \(run.id) where correct = 0 select example order by example")
        let expected = run.outcomes.enumerated().filter { !$0.element }.map { String($0.offset) }
        XCTAssertEqual(rows.dropFirst().map(\.[0]), expected)
    }

    func testShowRunPrintsEveryFieldVertically() throws {
        let f = try SessionFixture()
        let run = f.summary.runs[3]
        let out = f.run("show run \(run.id)").out
        XCTAssertTrue(out.contains("method = \(run.method.rawValue)"), out)
        XCTAssertTrue(out.contains("model = \(run.modelKey)"), out)
        let r = f.run("show run 99999")
        XCTAssertFalse(r.ok)
        XCTAssertTrue(r.err.contains("no run with id 99999"), r.err)
    }
}

extension Array where Element: Hashable {
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}

@testable import Console
import Experiments
import Foundation
import Reports
import Store
import TestSupport
import XCTest

/// The report's generation-budget section from a database: the cap comes from the run's spec,
/// the token counts from its predictions, and runs scored by likelihood have no cap.
final class ReportBudgetConsoleTests: XCTestCase {
    /// An evaluation's spec as ftlab stores it, with `primaryRule` as a multiple-choice run writes it.
    static func spec(task: String = "gsm8k", maxNewTokens: Int = 256, rule: String = "flexible") -> String {
        var spec = ExperimentSpec(model: "tiny-135m", modelPath: "/m/tiny.gguf", task: task, maxNewTokens: maxNewTokens)
        spec.primaryRule = rule
        return spec.json()
    }

    func testGenerationCapIsReadFromTheSpecOfGenerativeRunsOnly() {
        XCTAssertEqual(ReportLoader.generationCap(Self.spec()), 256)
        XCTAssertEqual(ReportLoader.generationCap(Self.spec(maxNewTokens: 64, rule: "strict")), 64)
        XCTAssertNil(ReportLoader.generationCap(Self.spec(task: "piqa", rule: "acc")),
                     "multiple choice: the token count is the chosen answer's, never cut off")
        XCTAssertNil(ReportLoader.generationCap(Self.spec(task: "piqa", rule: "acc_norm")))
        XCTAssertNil(ReportLoader.generationCap("{}"), "imported runs say nothing about a cap")
        XCTAssertNil(ReportLoader.generationCap("not json"))
    }

    func testReportSplitsDeltaByTheZeroShotAnswersBudget() throws {
        let fixture = try SessionFixture()
        let store = try ResultsStore(path: fixture.databasePath)
        let tiny = try XCTUnwrap(fixture.summary.modelIDs["tiny-135m"])
        let spec = Self.spec(maxNewTokens: 8)
        // Zero-shot: examples 0…3 reach the cap of 8 (right on none), 4…9 finish (right on 4, 5).
        // 5-shot: everything finishes; right on 0, 1 (formerly cut off) and 4.
        func run(_ hash: String, _ method: RunMethod, shots: Int, tokens: [Int], right: Set<Int>) throws -> Int64 {
            let id = try store.insertRun(RunRecord(specHash: hash, modelID: tiny, datasetID: fixture.summary.datasetID,
                                                   method: method, kind: .eval, shots: shots, seed: 0, specJSON: spec,
                                                   engineVersion: "x", host: "h"))
            try store.insertPredictions((0..<10).map {
                PredictionRecord(runID: id, exampleIndex: $0, output: "o", gold: "g", correct: right.contains($0),
                                 outputTokens: tokens[$0])
            })
            try store.finishRun(id: id, status: .done)
            return id
        }
        let zero = try run("budget-zero", .zeroShot, shots: 0, tokens: [8, 8, 8, 8, 2, 2, 2, 2, 2, 2], right: [4, 5])
        let five = try run("budget-five", .fewShot, shots: 5, tokens: [3, 3, 3, 3, 3, 3, 3, 3, 3, 3], right: [0, 1, 4])
        let out = fixture.directory.path("budget")
        let r = fixture.run("report negative-transfer where id in (\(zero), \(five)) to \(out)")
        XCTAssertTrue(r.ok, r.err)
        let markdown = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
        XCTAssertTrue(markdown.contains("## Generation budget — gsm8k (test)"), markdown)
        XCTAssertTrue(markdown.contains("| tiny-135m | zero_shot | 0 | \(zero) | 4.4 | 4 of 10 (40.0 %) | 0.333 | 0.000 |"), markdown)
        XCTAssertTrue(markdown.contains("| tiny-135m | few_shot | 0 | 6 | 0.333 → 0.167 | -0.167 | 4 | 0.000 → 0.500 | +0.500 |"), markdown)
        let rows = CSVParser.parse(try String(contentsOfFile: out + "/runs.csv", encoding: .utf8))
        let header = rows[0]
        let row = try XCTUnwrap(rows.first { $0[header.firstIndex(of: "run_id")!] == String(zero) })
        XCTAssertEqual(row[header.firstIndex(of: "token_cap")!], "8")
        XCTAssertEqual(row[header.firstIndex(of: "mean_output_tokens")!], "4.4")
        XCTAssertEqual(row[header.firstIndex(of: "at_token_cap")!], "4")
    }
}

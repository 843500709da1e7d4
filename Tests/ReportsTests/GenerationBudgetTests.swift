import Reports
import XCTest

/// The generation-budget split, on hand-counted runs with a cap of 10 tokens.
final class GenerationBudgetTests: XCTestCase {
    // Zero-shot: examples 0…5 reach the cap (10 tokens), 6…9 finish; right on 0 (cut off but
    // lucky) and on 6, 7, 8. The method finishes everything except example 1, and is right on
    // 0, 2, 3 (formerly cut off) and 6, 9 (finished both times; 7, 8 lost).
    private let zero = RunBuilder.run(1, method: "zero_shot", outcomes: "1000001110",
                                      tokens: [10, 10, 10, 12, 10, 10, 3, 4, 5, 6], maxNewTokens: 10)
    private let lora = RunBuilder.run(2, method: "lora", outcomes: "1011001001",
                                      tokens: [4, 10, 5, 5, 5, 5, 3, 3, 3, 3], maxNewTokens: 10)

    func testSummaryCountsAnswersAtTheCapAndTheirAccuracy() throws {
        let b = try XCTUnwrap(BudgetSummary(zero))
        XCTAssertEqual(b.limit, 10)
        XCTAssertEqual(b.n, 10)
        XCTAssertEqual(b.capped, 6, "a count above the cap (12) counts as reaching it")
        XCTAssertEqual(b.finished, 4)
        XCTAssertEqual(b.meanTokens, 8.0, accuracy: 1e-12)   // 80 / 10
        XCTAssertEqual(try XCTUnwrap(b.accuracyCapped), 1.0 / 6.0, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(b.accuracyFinished), 0.75, accuracy: 1e-12)
        let l = try XCTUnwrap(BudgetSummary(lora))
        XCTAssertEqual(l.capped, 1)
        XCTAssertEqual(try XCTUnwrap(l.accuracyCapped), 0, accuracy: 0)
    }

    func testNoCapOrNoTokenCountsMeansNoSummary() {
        XCTAssertNil(BudgetSummary(RunBuilder.run(3, method: "zero_shot", outcomes: "10", tokens: [3, 4])),
                     "a run scored by likelihood has no cap")
        XCTAssertNil(BudgetSummary(RunBuilder.run(4, method: "zero_shot", outcomes: "10", maxNewTokens: 10)),
                     "rows without token counts")
        let none = BudgetSummary(RunBuilder.run(5, method: "zero_shot", outcomes: "10", tokens: [1, 2], maxNewTokens: 10))
        XCTAssertEqual(none?.capped, 0)
        XCTAssertNil(none?.accuracyCapped, "no answer at the cap: no accuracy there, not 0")
    }

    func testSplitByTheZeroShotAnswer() throws {
        let split = try XCTUnwrap(BudgetSplit(before: zero, after: lora))
        // Zero-shot cut off on 0…5: zero-shot right on 0 (1 of 6), LoRA on 0, 2, 3 (3 of 6);
        // LoRA itself reached the cap on example 1 only.
        XCTAssertEqual(split.capped, BudgetSplit.Stratum(n: 6, beforeCorrect: 1, afterCorrect: 3, afterCapped: 1))
        XCTAssertEqual(try XCTUnwrap(split.capped.delta), 2.0 / 6.0, accuracy: 1e-12)
        // Finished on 6…9: zero-shot 3 of 4, LoRA 2 of 4 (6 and 9).
        XCTAssertEqual(split.finished, BudgetSplit.Stratum(n: 4, beforeCorrect: 3, afterCorrect: 2, afterCapped: 0))
        XCTAssertEqual(try XCTUnwrap(split.finished.delta), -0.25, accuracy: 1e-12)
        // The strata add up to the paired Δ: (3 − 1 + 2 − 3) / 10.
        let overall = try PairedComparison.compare(before: zero, after: lora)
        XCTAssertEqual(overall.delta, Double(3 - 1 + 2 - 3) / 10, accuracy: 1e-12)
    }

    func testSplitUsesOnlyTheSharedExamples() throws {
        let half = RunBuilder.run(6, method: "lora", outcomes: "11111", firstIndex: 5,
                                  tokens: [1, 1, 1, 1, 1], maxNewTokens: 10)
        let split = try XCTUnwrap(BudgetSplit(before: zero, after: half))
        XCTAssertEqual(split.capped.n, 1)      // example 5
        XCTAssertEqual(split.finished.n, 4)    // 6…9
        XCTAssertNil(BudgetSplit(before: zero, after: RunBuilder.run(7, method: "lora", outcomes: "1")),
                     "a run without a cap has no split")
    }

    func testReportSectionShowsBothTablesWithTheHandCountedNumbers() throws {
        let study = try StudyAnalysis.analyze([zero, lora], bootstrap: PairedBootstrap(resamples: 50))
        let markdown = MarkdownReport.render(study, kind: .negativeTransfer,
                                             context: ReportContext(generatedAt: "t", selection: nil, source: "s"))
        XCTAssertTrue(markdown.contains("## Generation budget — gsm8k (test)"), markdown)
        XCTAssertTrue(markdown.contains("| m | zero_shot | 1 | 1 | 8.0 | 6 of 10 (60.0 %) | 0.750 | 0.167 |"), markdown)
        XCTAssertTrue(markdown.contains("| m | lora | 1 | 2 | 4.6 | 1 of 10 (10.0 %) | 0.556 | 0.000 |"), markdown)
        XCTAssertTrue(markdown.contains("| m | lora | 1 | 4 | 0.750 → 0.500 | -0.250 | 6 | 0.167 → 0.500 | +0.333 |"), markdown)
        let csv = CSVReport.runs(study)
        XCTAssertTrue(csv.hasPrefix("model,"))
        XCTAssertTrue(csv.contains(",10,8,6\n"), csv)    // zero-shot: cap, mean tokens, at the cap
    }

    func testNoSectionWithoutCapsAndOneLineWhenNothingReachedIt() throws {
        let plain = try StudyAnalysis.analyze([RunBuilder.run(1, method: "zero_shot", outcomes: "10"),
                                               RunBuilder.run(2, method: "lora", outcomes: "11")],
                                              bootstrap: PairedBootstrap(resamples: 20))
        let context = ReportContext(generatedAt: "t", selection: nil, source: "s")
        XCTAssertFalse(MarkdownReport.render(plain, kind: .negativeTransfer, context: context).contains("Generation budget"))
        let short = try StudyAnalysis.analyze([
            RunBuilder.run(1, method: "zero_shot", outcomes: "10", tokens: [2, 3], maxNewTokens: 10),
            RunBuilder.run(2, method: "lora", outcomes: "11", tokens: [2, 2], maxNewTokens: 10),
        ], bootstrap: PairedBootstrap(resamples: 20))
        XCTAssertTrue(MarkdownReport.render(short, kind: .negativeTransfer, context: context)
            .contains("No answer reached its run's cap on new tokens (10 tokens)."))
    }
}

import Reports
import XCTest

final class StudyAnalysisTests: XCTestCase {
    /// Zero-shot right on 0…9 of 20; full loses 6 of them in both seeds (b = 6, c = 0 → p = 0.03125).
    private func lossyStudy() throws -> Study {
        let zero = String(repeating: "1", count: 10) + String(repeating: "0", count: 10)
        let full = "0000001111" + String(repeating: "0", count: 10)
        return try StudyAnalysis.analyze([
            RunBuilder.run(1, method: "zero_shot", seed: 1, outcomes: zero),
            RunBuilder.run(2, method: "full", seed: 1, outcomes: full),
            RunBuilder.run(3, method: "full", seed: 2, outcomes: full),
            RunBuilder.run(4, method: "lora", seed: 1, outcomes: zero),
        ], bootstrap: PairedBootstrap(resamples: 300))
    }

    func testNegativeTransferSignificantInEverySeed() throws {
        let study = try lossyStudy()
        let full = try XCTUnwrap(study.transfers.first { $0.summary.method == "full" })
        XCTAssertEqual(full.comparisons.count, 2, "each seed pairs with the only zero-shot run")
        XCTAssertEqual(full.comparisons.map(\.beforeRunID), [1, 1])
        XCTAssertEqual(full.delta, -0.3, accuracy: 1e-12)
        XCTAssertEqual(full.pValue, 0.03125, accuracy: 1e-12)
        XCTAssertEqual(full.verdict, .negativeSignificant)
        XCTAssertEqual(full.mark, "*")
        XCTAssertTrue(full.interval.upper < 0)
        let lora = try XCTUnwrap(study.transfers.first { $0.summary.method == "lora" })
        XCTAssertEqual(lora.verdict, .none)
    }

    func testOneInsignificantSeedMakesTheVerdictNotSignificant() throws {
        let zero = String(repeating: "1", count: 10) + String(repeating: "0", count: 10)
        let study = try StudyAnalysis.analyze([
            RunBuilder.run(1, method: "zero_shot", outcomes: zero),
            RunBuilder.run(2, method: "full", seed: 1, outcomes: "0000001111" + String(repeating: "0", count: 10)),
            RunBuilder.run(3, method: "full", seed: 2, outcomes: "0111111111" + String(repeating: "0", count: 10)),
        ], bootstrap: PairedBootstrap(resamples: 100))
        let full = try XCTUnwrap(study.transfers.first)
        XCTAssertEqual(full.delta, -0.175, accuracy: 1e-12)   // mean of −0.30 and −0.05
        XCTAssertEqual(full.pValue, 1, accuracy: 1e-12)       // seed 2: b = 1, c = 0
        XCTAssertEqual(full.verdict, .negativeNotSignificant)
    }

    /// The zero-shot partner of a run: the one sharing the most examples, then the same seed.
    private func partner(_ zeroShot: [(seed: Int64, outcomes: String)], run: (seed: Int64, outcomes: String)) throws -> PairedComparison {
        let runs = zeroShot.enumerated().map { RunBuilder.run(Int64($0 + 1), method: "zero_shot", seed: $1.seed, outcomes: $1.outcomes) }
        let study = try StudyAnalysis.analyze(runs + [RunBuilder.run(99, method: "lora", seed: run.seed, outcomes: run.outcomes)],
                                              bootstrap: PairedBootstrap(resamples: 50))
        let comparisons = try XCTUnwrap(study.transfers.first).comparisons
        XCTAssertEqual(comparisons.count, 1)
        return try XCTUnwrap(comparisons.first)
    }

    func testZeroShotPartnerIsTheMostSharedExamplesThenTheSameSeed() throws {
        // Equal coverage: the same seed wins (run 2, Δ 0 on the same outcomes).
        let sameSeed = try partner([(1, "1100"), (2, "0011")], run: (2, "0011"))
        XCTAssertEqual(sameSeed.beforeRunID, 2)
        XCTAssertEqual(sameSeed.delta, 0)
        // Run 1 (seed 1) scored examples 0…3 only, run 2 (seed 0) scored 0…9: the 10-example
        // seed-1 run is compared with run 2 on all ten, not with run 1 on four.
        let covering = try partner([(1, "1111"), (0, "1111000000")], run: (1, "1100000000"))
        XCTAssertEqual(covering.beforeRunID, 2)
        XCTAssertEqual(covering.bothRight + covering.beforeOnly + covering.afterOnly + covering.bothWrong, 10)
        XCTAssertEqual(covering.delta, -0.2, accuracy: 1e-12)
    }

    func testThresholdAcrossModelsAndRecommendations() throws {
        // Small model: full loses 4 of 10; large model: full gains 2 of 10.
        let study = try Self.smallAndLarge(small: ("1111100000", "1000000000"), large: ("1111100000", "1111111000"))
        let t = try XCTUnwrap(study.thresholds.first)
        XCTAssertEqual(t.points.map(\.model), ["small", "large"])
        // Δ: −0.4 at log10 = 8, +0.2 at 9 → zero at 8 + 0.4/0.6 = 8.6667.
        XCTAssertEqual(t.crossings.first?.x ?? 0, 8 + 0.4 / 0.6, accuracy: 1e-12)
        XCTAssertEqual(t.crossings.first?.left.label, "small")
        XCTAssertEqual(t.crossings.first?.right.label, "large")
        let small = try XCTUnwrap(study.recommendations.first { $0.model == "small" })
        XCTAssertEqual(small.best.method, "zero_shot")
        XCTAssertEqual(small.ties.map(\.method), ["full"], "4 lost, 0 gained: exact McNemar p = 2 × 0.5⁴ = 0.125, not separated")
        XCTAssertTrue(small.behind.isEmpty)
    }

    /// Two methods on the same 200 examples: 0.70 and 0.60, the second right only where the first
    /// is. Their Wilson intervals overlap ([0.633, 0.759] and [0.531, 0.665]), but the paired test
    /// sees 20 discordant examples all one way (p = 2 × 0.5²⁰ ≈ 1.9e-6): the recommendation says
    /// the best is ahead, as the Δ table would. The same accuracies on disjoint examples cannot be
    /// paired and fall back to the overlapping Wilson intervals: a tie, marked unpaired.
    func testRecommendationsPairTheExamplesLikeDelta() throws {
        let best = String(repeating: "1", count: 140) + String(repeating: "0", count: 60)
        let worse = String(repeating: "1", count: 120) + String(repeating: "0", count: 80)
        let paired = try StudyAnalysis.analyze([
            RunBuilder.run(1, method: "zero_shot", outcomes: best),
            RunBuilder.run(2, method: "lora", outcomes: worse),
        ], bootstrap: PairedBootstrap(resamples: 50))
        let summaries = paired.summaries
        XCTAssertTrue(summaries[0].interval.overlaps(summaries[1].interval), "the unpaired intervals overlap")
        let r = try XCTUnwrap(paired.recommendations.first)
        XCTAssertEqual(r.best.method, "zero_shot")
        XCTAssertEqual(r.behind.map(\.method), ["lora"])
        XCTAssertTrue(r.ties.isEmpty && r.unpaired.isEmpty)
        XCTAssertEqual(paired.transfers.first?.verdict, .negativeSignificant, "and the Δ table agrees")
        XCTAssertTrue(MarkdownReport.recommendationLine(r).contains("ahead of every other method: lora (0.600) (paired McNemar p < 0.05 in every seed)"),
                      MarkdownReport.recommendationLine(r))

        let disjoint = try StudyAnalysis.analyze([
            RunBuilder.run(1, method: "zero_shot", outcomes: best),
            RunBuilder.run(2, method: "lora", outcomes: worse, firstIndex: 1000),
        ], bootstrap: PairedBootstrap(resamples: 50))
        let u = try XCTUnwrap(disjoint.recommendations.first)
        XCTAssertEqual(u.ties.map(\.method), ["lora"])
        XCTAssertEqual(u.unpaired, ["lora"])
        XCTAssertTrue(MarkdownReport.recommendationLine(u).contains("lora (0.600) [no shared examples: Wilson intervals]"),
                      MarkdownReport.recommendationLine(u))
    }

    /// A baseline scored on 30 examples and a method on the first 20 only: the means come from
    /// different questions (0.333 against 0.700), so the line also gives both accuracies on the 20
    /// shared ones (0.500 against 0.700), the numbers McNemar compared. Runs on the same examples
    /// get no such note.
    func testRecommendationGivesAccuraciesOnTheSharedExamplesWhenCoverageDiffers() throws {
        let zero = "11111111110000000000" + String(repeating: "0", count: 10)   // 10 of 30; 10 of the first 20
        let lora = "11111111111111000000"                                        // 14 of 20
        let study = try StudyAnalysis.analyze([
            RunBuilder.run(1, method: "zero_shot", outcomes: zero),
            RunBuilder.run(2, method: "lora", outcomes: lora),
        ], bootstrap: PairedBootstrap(resamples: 50))
        let r = try XCTUnwrap(study.recommendations.first)
        XCTAssertEqual(r.best.method, "lora")
        let shared = try XCTUnwrap(r.partialOverlap["zero_shot"])
        XCTAssertEqual([shared.n, shared.firstCorrect, shared.secondCorrect], [20, 14, 10])
        XCTAssertTrue(MarkdownReport.recommendationLine(r).contains("zero_shot (0.333; 0.500 against lora's 0.700 on the 20 examples both scored)"),
                      MarkdownReport.recommendationLine(r))

        let sameExamples = try StudyAnalysis.analyze([
            RunBuilder.run(1, method: "zero_shot", outcomes: String(zero.prefix(20))),
            RunBuilder.run(2, method: "lora", outcomes: lora),
        ], bootstrap: PairedBootstrap(resamples: 50))
        let s = try XCTUnwrap(sameExamples.recommendations.first)
        XCTAssertTrue(s.partialOverlap.isEmpty)
        XCTAssertTrue(MarkdownReport.recommendationLine(s).contains("zero_shot (0.500) (the paired test"), MarkdownReport.recommendationLine(s))
    }

    /// With several seeds the best must be ahead in every one of them (p < 0.05 each).
    func testRecommendationNeedsEverySeedAhead() throws {
        let best = String(repeating: "1", count: 140) + String(repeating: "0", count: 60)
        let worse = String(repeating: "1", count: 120) + String(repeating: "0", count: 80)
        let close = String(repeating: "1", count: 136) + String(repeating: "0", count: 64)
        let study = try StudyAnalysis.analyze([
            RunBuilder.run(1, method: "zero_shot", seed: 0, outcomes: best),
            RunBuilder.run(2, method: "lora", seed: 0, outcomes: worse),
            RunBuilder.run(3, method: "lora", seed: 1, outcomes: close),
        ], bootstrap: PairedBootstrap(resamples: 50))
        let r = try XCTUnwrap(study.recommendations.first)
        XCTAssertEqual(r.best.method, "zero_shot")
        XCTAssertEqual(r.ties.map(\.method), ["lora"], "seed 1 loses 4 examples only: p = 0.125")
    }

    /// Δ exactly 0 at one model and negative at the other touches zero without crossing it: the
    /// threshold line says so, instead of "Δ never changes sign".
    func testThresholdTouchingZeroIsDescribed() throws {
        let study = try Self.smallAndLarge(small: ("1100", "1010"), large: ("1111", "1100"))
        let t = try XCTUnwrap(study.thresholds.first)
        XCTAssertEqual(t.points.map(\.delta), [0, -0.5])
        XCTAssertTrue(t.crossings.isEmpty)
        XCTAssertEqual(MarkdownReport.crossingText(t), "no crossing in range (100M–1B; Δ ≤ 0 throughout, 0 at small)")
    }

    /// A study of two models, "small" (100M) and "large" (1B), each with a zero-shot and a full
    /// run: the outcomes are (zero-shot, full) per model.
    static func smallAndLarge(small: (String, String), large: (String, String)) throws -> Study {
        try StudyAnalysis.analyze([
            RunBuilder.run(1, model: "small", params: 100_000_000, method: "zero_shot", outcomes: small.0),
            RunBuilder.run(2, model: "small", params: 100_000_000, method: "full", outcomes: small.1),
            RunBuilder.run(3, model: "large", params: 1_000_000_000, method: "zero_shot", outcomes: large.0),
            RunBuilder.run(4, model: "large", params: 1_000_000_000, method: "full", outcomes: large.1),
        ], bootstrap: PairedBootstrap(resamples: 50))
    }

    func testEmptySelectionIsAnError() {
        XCTAssertThrowsError(try StudyAnalysis.analyze([])) { XCTAssertEqual("\($0)", "no runs to report on") }
    }

    func testModelWithoutZeroShotIsNoted() throws {
        let study = try StudyAnalysis.analyze([RunBuilder.run(1, method: "lora", outcomes: "10")])
        XCTAssertTrue(study.transfers.isEmpty)
        XCTAssertTrue(study.notes.contains { $0.contains("no zero-shot run") }, "\(study.notes)")
    }
}

/// Planned conditions without a finished run show as `queued` or `cancelled` in the accuracy
/// table — a partial study reads as partial, not as if the missing cells were never planned.
final class PendingConditionTests: XCTestCase {
    func testAccuracyTableMarksQueuedAndCancelledCells() throws {
        let gsm8k = DatasetKey(task: "gsm8k", split: "test")
        let study = try StudyAnalysis.analyze([
            RunBuilder.run(1, model: "small", params: 100, method: "zero_shot", outcomes: "1100"),
            RunBuilder.run(2, model: "small", params: 100, method: "lora", outcomes: "1110"),
        ], bootstrap: PairedBootstrap(resamples: 50), pending: [
            PendingCondition(model: "small", params: 100, dataset: gsm8k, method: "lora", status: .queued),
            PendingCondition(model: "small", params: 100, dataset: gsm8k, method: "dora", status: .cancelled),
            PendingCondition(model: "big", params: 900, dataset: gsm8k, method: "lora", status: .cancelled),
            PendingCondition(model: "big", params: 900, dataset: gsm8k, method: "lora", status: .queued),
            PendingCondition(model: "big", params: 900, dataset: gsm8k, method: "zero_shot", status: .queued),
        ])
        XCTAssertEqual(study.pending.count, 4, "one condition per cell")
        XCTAssertEqual(study.pending.first { $0.model == "big" && $0.method == "lora" }?.status, .queued, "queued wins over cancelled")
        let markdown = try XCTUnwrap(ReportFiles.render(study, kind: .negativeTransfer, context: ReportContext(generatedAt: "now"),
                                                        formats: [.markdown]).first { $0.name == "report.md" }?.contents)
        XCTAssertTrue(markdown.contains("| model | params | zero_shot | lora | dora |"), markdown)
        XCTAssertTrue(markdown.contains("| small | 100 | 0.500 [0.150, 0.850] (1) | 0.750 [0.301, 0.954] (1) | *cancelled* |"), markdown)
        XCTAssertTrue(markdown.contains("| big | 900 | *queued* | *queued* | — |"), markdown)
        XCTAssertTrue(markdown.contains("*queued*: planned in the results database and not finished yet"), markdown)
    }

    /// A refused or failed training shows as `failed`: above cancelled, below queued (a failed
    /// condition queued again will still have its result).
    func testFailedCellsRankBetweenQueuedAndCancelled() throws {
        let gsm8k = DatasetKey(task: "gsm8k", split: "test")
        let study = try StudyAnalysis.analyze([
            RunBuilder.run(1, model: "big", params: 900, method: "zero_shot", outcomes: "1100"),
        ], bootstrap: PairedBootstrap(resamples: 50), pending: [
            PendingCondition(model: "big", params: 900, dataset: gsm8k, method: "full", status: .cancelled),
            PendingCondition(model: "big", params: 900, dataset: gsm8k, method: "full", status: .failed),
            PendingCondition(model: "big", params: 900, dataset: gsm8k, method: "lora", status: .failed),
            PendingCondition(model: "big", params: 900, dataset: gsm8k, method: "lora", status: .queued),
        ])
        XCTAssertEqual(study.pending.map(\.status), [.failed, .queued])
        let markdown = try XCTUnwrap(ReportFiles.render(study, kind: .negativeTransfer, context: ReportContext(generatedAt: "now"),
                                                        formats: [.markdown]).first { $0.name == "report.md" }?.contents)
        XCTAssertTrue(markdown.contains("| big | 900 | 0.500 [0.150, 0.850] (1) | *failed* | *queued* |"), markdown)
        XCTAssertTrue(markdown.contains("*failed*: ran and failed, or was refused before it started"), markdown)
    }

    func testNoMarkWithoutPendingConditions() throws {
        let study = try StudyAnalysis.analyze([RunBuilder.run(1, method: "zero_shot", outcomes: "10")],
                                              bootstrap: PairedBootstrap(resamples: 50))
        let markdown = ReportFiles.render(study, kind: .negativeTransfer, context: ReportContext(generatedAt: "now"),
                                          formats: [.markdown]).first { $0.name == "report.md" }?.contents ?? ""
        XCTAssertFalse(markdown.contains("*queued*"))
    }
}

import Reports
import XCTest

/// Accuracy and Δ by reasoning depth, and DoRA against LoRA by depth, on hand-counted runs.
final class ReasoningDepthTests: XCTestCase {
    // Ten examples; depths 1 2 3 3 4 4 5 6 2 3 put examples {0, 1, 8} in ≤ 2, {2, 3, 9} in 3,
    // {4, 5} in 4 and {6, 7} in ≥ 5. Zero-shot also scored examples 10 and 11, which no other
    // method did.
    private static let steps = [1, 2, 3, 3, 4, 4, 5, 6, 2, 3]
    private let zero = RunBuilder.run(1, method: "zero_shot", outcomes: "100100101011", steps: steps + [2, 7])
    private let lora = RunBuilder.run(2, method: "lora", outcomes: "1101010011", steps: steps)
    private let dora = RunBuilder.run(3, method: "dora", outcomes: "1111011101", steps: steps)

    func testBinsOfReasoningSteps() {
        XCTAssertEqual([0, 1, 2, 3, 4, 5, 11].map { DepthBin(steps: $0) },
                       [.twoOrFewer, .twoOrFewer, .twoOrFewer, .three, .four, .fiveOrMore, .fiveOrMore])
    }

    func testTalliesCountTheSameQuestionsForEveryMethodOfAModel() throws {
        let study = try StudyAnalysis.analyze([zero, lora, dora])
        XCTAssertTrue(study.hasDepths(in: zero.dataset))
        let all = study.depthTallies(in: zero.dataset)
        let tallies = Dictionary(uniqueKeysWithValues: all.map { ($0.summary.method, $0.bins) })
        func counts(_ method: String) -> [Int] { DepthBin.allCases.map { tallies[method]?[$0]?.correct ?? -1 } }
        func sizes(_ method: String) -> [Int] { DepthBin.allCases.map { tallies[method]?[$0]?.n ?? -1 } }
        // Zero-shot's examples 10 and 11 are not counted: the other methods did not score them.
        XCTAssertEqual(sizes("zero_shot"), [3, 3, 2, 2])
        XCTAssertEqual(counts("zero_shot"), [2, 1, 0, 1])
        XCTAssertEqual(sizes("lora"), [3, 3, 2, 2])
        XCTAssertEqual(counts("lora"), [3, 2, 1, 0])
        XCTAssertEqual(counts("dora"), [2, 3, 1, 2])
        // A second seed of zero-shot scores the same questions: twice the answers, not more questions.
        let twice = try StudyAnalysis.analyze([zero, RunBuilder.run(9, method: "zero_shot", seed: 2, outcomes: "0000000000", steps: Self.steps), lora])
        let base = try XCTUnwrap(twice.depthTallies(in: zero.dataset).first { $0.summary.method == "zero_shot" })
        XCTAssertEqual(DepthBin.allCases.map { base.questions[$0] }, [3, 3, 2, 2])
        XCTAssertEqual(DepthBin.allCases.map { base.bins[$0]?.n }, [6, 6, 4, 4])
    }

    func testDeltaVersusZeroShotByDepth() throws {
        let study = try StudyAnalysis.analyze([zero, lora, dora])
        let l = try XCTUnwrap(study.depthTransfers(in: zero.dataset).first { $0.second == "lora" })
        XCTAssertEqual(l.first, "zero_shot")
        // Gained 1 (≤ 2), 9 (3), 5 (4); lost 6 (≥ 5).
        XCTAssertEqual(DepthBin.allCases.map { l.byBin[$0]?.secondOnly }, [1, 1, 1, 0])
        XCTAssertEqual(DepthBin.allCases.map { l.byBin[$0]?.firstOnly }, [0, 0, 0, 1])
        XCTAssertEqual(try XCTUnwrap(l.byBin[.fiveOrMore]?.delta), -0.5, accuracy: 1e-12)
        XCTAssertEqual(l.all.n, 10, "paired on the ten shared examples")
        // The bins add up to the paired Δ of the whole run.
        let overall = try PairedComparison.compare(before: zero, after: lora)
        XCTAssertEqual(try XCTUnwrap(l.all.delta), overall.delta, accuracy: 1e-12)
    }

    func testDoRAAgainstLoRAByDepth() throws {
        let study = try StudyAnalysis.analyze([zero, lora, dora])
        let c = try XCTUnwrap(study.adapterDepth(in: zero.dataset).first)
        XCTAssertEqual([c.first, c.second], ["lora", "dora"])
        // ≤ 2: LoRA only on 8; 3: DoRA only on 2; 4: no discordant pair; ≥ 5: DoRA only on 6, 7.
        XCTAssertEqual(DepthBin.allCases.map { c.byBin[$0]?.firstOnly }, [1, 0, 0, 0])
        XCTAssertEqual(DepthBin.allCases.map { c.byBin[$0]?.secondOnly }, [0, 1, 0, 2])
        XCTAssertEqual(try XCTUnwrap(c.byBin[.fiveOrMore]?.pValue), 0.5, accuracy: 1e-12)   // 2 · (1/2)²
        XCTAssertEqual(c.all.n, 10)
        XCTAssertEqual(try XCTUnwrap(c.all.delta), 0.2, accuracy: 1e-12)                      // (3 − 1) / 10
        XCTAssertEqual(try XCTUnwrap(c.all.pValue), 0.625, accuracy: 1e-12)                   // 2 · (1 + 4) / 16
    }

    /// A bin's mark follows the Δ table's rule: every seed must move the pooled way. Here seed 1
    /// has DoRA gain 10 questions (p 0.002) and seed 2 has it lose 7 (p 0.016); pooled DoRA − LoRA
    /// is +0.075 with both p below 0.05, yet the seeds disagree, so no mark.
    func testDepthMarkNeedsEverySeedInThePooledDirection() throws {
        let ones = [Int](repeating: 1, count: 20)
        func runs(secondSeedDoRA: String) throws -> DepthComparison {
            let study = try StudyAnalysis.analyze([
                RunBuilder.run(1, method: "zero_shot", outcomes: String(repeating: "0", count: 20), steps: ones),
                RunBuilder.run(2, method: "lora", seed: 1, outcomes: String(repeating: "0", count: 20), steps: ones),
                RunBuilder.run(3, method: "dora", seed: 1, outcomes: String(repeating: "1", count: 10) + String(repeating: "0", count: 10), steps: ones),
                RunBuilder.run(4, method: "lora", seed: 2, outcomes: String(repeating: "1", count: 7) + String(repeating: "0", count: 13), steps: ones),
                RunBuilder.run(5, method: "dora", seed: 2, outcomes: secondSeedDoRA, steps: ones),
            ])
            return try XCTUnwrap(study.adapterDepth(in: DatasetKey(task: "gsm8k", split: "test")).first)
        }
        let split = try runs(secondSeedDoRA: String(repeating: "0", count: 20))
        let bin = try XCTUnwrap(split.byBin[.twoOrFewer])
        XCTAssertEqual(bin.seeds.map(\.firstOnly), [0, 7])
        XCTAssertEqual(bin.seeds.map(\.secondOnly), [10, 0])
        XCTAssertEqual(try XCTUnwrap(bin.delta), 0.075, accuracy: 1e-12)          // (10 − 7) / 40
        XCTAssertEqual(try XCTUnwrap(bin.pValue), 2.0 / 128, accuracy: 1e-12)     // the larger: 2 · (1/2)⁷
        XCTAssertEqual(bin.mark, "")
        // Seed 2's DoRA gains its 7 as well: both seeds agree, the larger p is 2/128 < 0.05.
        let agree = try runs(secondSeedDoRA: String(repeating: "1", count: 14) + String(repeating: "0", count: 6))
        XCTAssertEqual(agree.byBin[.twoOrFewer]?.mark, "*")
        XCTAssertEqual(agree.all.mark, "*")
    }

    func testReportSectionShowsTheTables() throws {
        let study = try StudyAnalysis.analyze([zero, lora, dora])
        let md = MarkdownReport.render(study, kind: .negativeTransfer,
                                       context: ReportContext(generatedAt: "2026-01-01T00:00:00Z", selection: nil, source: "t"))
        XCTAssertTrue(md.contains("## Reasoning depth — gsm8k (test)"))
        XCTAssertTrue(md.contains("| m | *questions* | 3 | 3 | 2 | 2 |"), md)
        XCTAssertTrue(md.contains("| m | zero_shot | 0.667 | 0.333 | 0.000 | 0.500 |"), md)
        XCTAssertTrue(md.contains("| m | lora | 1.000 (+0.333) | 0.667 (+0.333) | 0.500 (+0.500) | 0.000 (-0.500) |"), md)
        XCTAssertTrue(md.contains("| m | ≥ 5 | 2 | 0.000 → 1.000 | +1.000 | 0 | 2 | 0.500 |"), md)
        XCTAssertTrue(md.contains("| m | all | 10 | 0.600 → 0.800 | +0.200 | 1 | 3 | 0.625 |"), md)
    }

    func testDepthCSVHasARowPerMethodAndBin() throws {
        let study = try StudyAnalysis.analyze([zero, lora, dora])
        let lines = CSVReport.depth(study).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "model,params,task,split,method,steps,questions,n,correct,accuracy,paired_n,delta,mcnemar_p_max")
        XCTAssertEqual(lines.count, 1 + 3 * 4)
        XCTAssertTrue(lines.contains { $0.hasPrefix("m,100000000,gsm8k,test,lora,>=5,2,2,0,0") && $0.hasSuffix(",2,-0.5,1") }, "\(lines)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("m,100000000,gsm8k,test,zero_shot,<=2,3,3,2,") && $0.hasSuffix(",,,") }, "\(lines)")
        let none = try StudyAnalysis.analyze([RunBuilder.run(1, method: "zero_shot", outcomes: "10")])
        XCTAssertEqual(CSVReport.depth(none).split(separator: "\n").count, 1, "only the header without depths")
    }

    func testLaTeXDepthTable() throws {
        let tex = LaTeXTables.depth(try StudyAnalysis.analyze([zero, lora, dora]), statement: nil)
        for needed in ["model & method & $\\leq$2 steps & 3 steps & 4 steps & $\\geq$5 steps \\\\",
                       "m & zero-shot (acc.) & 0.667 & 0.333 & 0.000 & 0.500 \\\\",
                       " & LoRA & $+$0.333 & $+$0.333 & $+$0.500 & $-$0.500 \\\\",
                       " & DoRA $-$ LoRA & $-$0.333 & $+$0.333 & $+$0.000 & $+$1.000 \\\\"] {
            XCTAssertTrue(tex.contains(needed), "\(needed)\n\(tex)")
        }
        let none = LaTeXTables.depth(try StudyAnalysis.analyze([RunBuilder.run(1, method: "zero_shot", outcomes: "10")]), statement: nil)
        XCTAssertTrue(none.contains("no reasoning depths"), none)
    }

    func testNoDepthsNoSection() throws {
        let plain = [RunBuilder.run(1, method: "zero_shot", outcomes: "10"), RunBuilder.run(2, method: "lora", outcomes: "11")]
        let study = try StudyAnalysis.analyze(plain)
        XCTAssertFalse(study.hasDepths(in: plain[0].dataset))
        XCTAssertTrue(study.adapterDepth(in: plain[0].dataset).isEmpty)
        let md = MarkdownReport.render(study, kind: .negativeTransfer,
                                       context: ReportContext(generatedAt: "2026-01-01T00:00:00Z", selection: nil, source: "t"))
        XCTAssertFalse(md.contains("Reasoning depth"))
    }
}

import XCTest
@testable import Experiments

/// The runner on the synthetic task with a tiny random model: determinism, interruption, resume.
final class EvalRunnerTests: XCTestCase {
    static let n = 20

    /// Commits every 4 predictions (and never by time), so commit counts are predictable.
    func makeRunner(shots: Int = 0, fixed: Bool = false, batchSize: Int = 4) throws -> EvalRunner {
        let spec = ExperimentSpec(model: "tiny", modelPath: "-", task: "synthetic", shots: shots, fixed: fixed,
                                  limit: Self.n, seed: 3, maxNewTokens: 12, batchSize: batchSize)
        let test = try SyntheticTask.generate(split: "test", config: SyntheticConfig(seed: 0, count: 40))
        let train = try SyntheticTask.generate(split: "train", config: SyntheticConfig(seed: 0, count: 40))
        let runner = try EvalRunner(spec: spec, model: TinyEvalModel.make(), dataset: test, shotPool: train.examples)
        runner.commitEvery = 4
        runner.commitSeconds = .infinity
        return runner
    }

    func testSameSpecTwiceGivesIdenticalPredictions() throws {
        let a = RecordingSink(), b = RecordingSink()
        try makeRunner().run(sink: a)
        try makeRunner().run(sink: b)
        XCTAssertEqual(a.status, "finished")
        XCTAssertEqual(a.predictions.count, Self.n)
        XCTAssertEqual(Set(a.predictions.map(\.exampleIndex)), Set(0..<Self.n))
        XCTAssertEqual(a.predictions.map(\.output), b.predictions.map(\.output))
        XCTAssertEqual(a.predictions.map(\.exampleIndex), b.predictions.map(\.exampleIndex))
        XCTAssertEqual(a.batches, 5, "a commit every 4 predictions")
        XCTAssertTrue(a.predictions.allSatisfy { $0.outputTokens > 0 && $0.outputTokens <= 12 && $0.prompt.hasPrefix("Question: ") })
        XCTAssertTrue(a.predictions.allSatisfy { $0.scores.count == 3 && $0.scores["flexible"]?.correct == $0.correct })
    }

    /// Continuous batching: an example's output does not depend on how many rows decode beside it.
    func testOutputsDoNotDependOnTheBatchWidth() throws {
        func outputs(_ width: Int) throws -> [Int: String] {
            let sink = RecordingSink()
            try makeRunner(batchSize: width).run(sink: sink)
            XCTAssertEqual(sink.predictions.count, Self.n)
            return Dictionary(uniqueKeysWithValues: sink.predictions.map { ($0.exampleIndex, $0.output) })
        }
        let one = try outputs(1)
        XCTAssertEqual(try outputs(3), one)
        XCTAssertEqual(try outputs(20), one)
        XCTAssertGreaterThan(Set(one.values).count, 1, "the tiny model should not say the same thing every time")
    }

    func testInterruptCommitsEverythingDeliveredAndStops() throws {
        let sink = RecordingSink()
        let runner = try makeRunner()
        let totals = runner.run(sink: sink, shouldStop: { sink.batches >= 2 })
        XCTAssertEqual(sink.status, "interrupted")
        XCTAssertGreaterThanOrEqual(sink.predictions.count, 8)
        XCTAssertLessThan(sink.predictions.count, Self.n)
        XCTAssertEqual(totals.n, sink.predictions.count)
        // Every prediction delivered is committed before the run says it was interrupted.
        guard case .interrupted? = sink.events.last, case .batchCompleted? = sink.events.dropLast().last else {
            return XCTFail("expected …, batchCompleted, interrupted")
        }
    }

    func testResumeCompletesWithIdenticalOutputsAndNoDuplicates() throws {
        let full = RecordingSink()
        try makeRunner().run(sink: full)
        let first = RecordingSink()
        try makeRunner().run(sink: first, shouldStop: { first.batches >= 2 })
        let done = Set(first.predictions.map(\.exampleIndex))
        let second = RecordingSink()
        try makeRunner().run(skipping: done, sink: second)
        XCTAssertEqual(second.status, "finished")
        let all = first.predictions + second.predictions
        XCTAssertEqual(all.count, Self.n)
        XCTAssertEqual(Set(all.map(\.exampleIndex)).count, Self.n, "no example twice")
        let byIndex = Dictionary(uniqueKeysWithValues: all.map { ($0.exampleIndex, $0.output) })
        for p in full.predictions { XCTAssertEqual(byIndex[p.exampleIndex], p.output, "example \(p.exampleIndex)") }
    }

    func testResumeSkippingInsideABatchStillMatches() throws {
        let full = RecordingSink()
        try makeRunner().run(sink: full)
        // An odd set of stored examples: the others run beside different neighbours than in the
        // full run, and still give the same outputs.
        let skip: Set<Int> = [0, 5, 11]
        let rest = RecordingSink()
        try makeRunner().run(skipping: skip, sink: rest)
        XCTAssertEqual(rest.predictions.count, Self.n - 3)
        XCTAssertTrue(rest.predictions.allSatisfy { !skip.contains($0.exampleIndex) })
        let expected = Dictionary(uniqueKeysWithValues: full.predictions.map { ($0.exampleIndex, $0.output) })
        for p in rest.predictions { XCTAssertEqual(p.output, expected[p.exampleIndex], "example \(p.exampleIndex)") }
    }

    func testFixedFewShotUsesASharedPrefixAndMatchesTheFullPrompt() throws {
        let runner = try makeRunner(shots: 3, fixed: true)
        XCTAssertGreaterThan(runner.plan.sharedPrefix.count, 100)
        let sink = RecordingSink()
        runner.run(sink: sink)
        XCTAssertEqual(sink.predictions.count, Self.n)
        // The prefix path gives the same greedy tokens as prefilling each whole prompt.
        let model = runner.model
        let p = try XCTUnwrap(sink.predictions.first)
        let ids = model.transformer.generate(prompts: [model.tokenizer.encode(p.prompt)], maxNewTokens: 12,
                                             stopTokenIDs: [257]).first!
        XCTAssertEqual(String(decoding: ids.filter { $0 < 256 }.map { UInt8($0) }, as: UTF8.self).prefix(p.output.count),
                       Substring(p.output))
    }

    func testSpecRoundTripsThroughJSON() throws {
        let spec = ExperimentSpec(model: "smollm2-135m-instruct", task: "gsm8k", shots: 5, fixed: true, limit: 50, seed: 1)
        XCTAssertEqual(try ExperimentSpec.fromJSON(spec.json()), spec)
        XCTAssertEqual(spec.modelKey, "smollm2-135m-instruct")
        XCTAssertEqual(ExperimentSpec(model: "/m/x.gguf", task: "gsm8k").modelKey, "x")
        XCTAssertEqual(ExperimentSpec.resolveModelPath("k", environment: ["FTLAB_HOME": "/h"]), "/h/models/k.gguf")
    }

    func testScoresJSONHasEveryRule() throws {
        let sink = RecordingSink()
        try makeRunner().run(sink: sink)
        let json = try XCTUnwrap(sink.predictions.first?.scoresJSON)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        XCTAssertEqual(Set(object.keys), ["strict", "flexible", "numeric"])
    }
}

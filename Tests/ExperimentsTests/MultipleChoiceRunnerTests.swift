import Engine
import XCTest
@testable import Experiments

final class MultipleChoiceRunnerTests: XCTestCase {
    /// Σ log softmax over each prefix, from scratch with `Transformer.logits(tokens:)`.
    private func direct(_ model: EvalModel, _ r: ContinuationRequest) -> Double {
        var sum = 0.0
        for i in r.continuation.indices {
            let logits = model.transformer.logits(tokens: r.context + r.continuation[..<i])
            sum += logits.withUnsafeBufferPointer { ContinuationScorer.logSoftmax($0, at: r.continuation[i]) }
        }
        return sum
    }

    func testScorerMatchesPrefixByPrefixLogSoftmax() throws {
        let model = try TinyEvalModel.make()
        let scorer = ContinuationScorer(transformer: model.transformer, tokenizer: model.tokenizer)
        let requests = [
            scorer.request(context: "Question: 2+2?\nAnswer:", continuation: " four"),
            scorer.request(context: "Hi", continuation: " a much longer continuation"),
            scorer.request(context: "Question: which is heavier, a brick or a feather?\nAnswer:", continuation: " x"),
            scorer.request(context: "Empty", continuation: ""),
        ]
        // BOS + context bytes; the continuation is the joint encoding's tail.
        XCTAssertEqual(requests[0].context.first, 256)
        XCTAssertEqual(requests[0].continuation, " four".utf8.map { Int32($0) })
        XCTAssertEqual(requests[1].bytes, " a much longer continuation".utf8.count)
        let scores = scorer.score(requests)
        XCTAssertEqual(scores.count, 4)
        for (r, s) in zip(requests, scores) {
            XCTAssertEqual(s.tokens, r.continuation.count)
            XCTAssertEqual(s.logProb, direct(model, r), accuracy: 1e-4)
        }
        XCTAssertEqual(scores[3].logProb, 0)
        XCTAssertLessThan(scores[1].logProb, scores[0].logProb)
        // Alone in a batch gives the same as batched.
        XCTAssertEqual(scorer.score([requests[1]])[0].logProb, scores[1].logProb, accuracy: 1e-4)
    }

    func testTrailingContextSpaceMovesToTheContinuation() throws {
        let model = try TinyEvalModel.make()
        let scorer = ContinuationScorer(transformer: model.transformer, tokenizer: model.tokenizer)
        let r = scorer.request(context: "Answer: ", continuation: "yes")
        XCTAssertEqual(r.context, [256] + "Answer:".utf8.map { Int32($0) })
        XCTAssertEqual(r.continuation, " yes".utf8.map { Int32($0) })
        XCTAssertEqual(r.bytes, 4)
    }

    func testAccAndAccNormRules() {
        // Choice 0: higher total log-prob; choice 1: many more bytes, so better per byte.
        let scores = [ContinuationScore(logProb: -4, tokens: 2, bytes: 2),
                      ContinuationScore(logProb: -6, tokens: 20, bytes: 20),
                      ContinuationScore(logProb: -9, tokens: 3, bytes: 3)]
        let values = MultipleChoiceRunner.ruleValues(scores)
        XCTAssertEqual(MultipleChoiceRunner.argmax(values[.acc]!), 0)
        XCTAssertEqual(MultipleChoiceRunner.argmax(values[.accNorm]!), 1)
        XCTAssertEqual(values[.accNorm]!, [-2, -0.3, -3])
        XCTAssertEqual(MultipleChoiceRunner.argmax([-1, -1, -2]), 0, "first on ties")
    }

    private func dataset() -> Dataset {
        let examples = (0..<7).map { i in
            Example(index: i, question: "Which one, number \(i)?", answer: Example.choiceLetter(i % 3),
                    choices: ["red apple", "a blue sky over the sea", "go", "green"].prefix(2 + i % 3).map { $0 })
        }
        return Dataset(task: "piqa", split: "validation", examples: examples, sha256: "x", path: nil)
    }

    func testEndToEndRunPredictsEveryExample() throws {
        let model = try TinyEvalModel.make()
        var spec = ExperimentSpec(model: "tiny", modelPath: "-", task: "piqa", batchSize: 3)
        spec.primaryRule = ChoiceRule.acc.rawValue
        let data = dataset()
        let runner = try MultipleChoiceRunner(spec: spec, model: model, dataset: data, style: .optionText)
        let sink = RecordingSink()
        let totals = runner.run(sink: sink)
        XCTAssertEqual(sink.status, "finished")
        XCTAssertEqual(sink.batches, 3)
        XCTAssertEqual(sink.predictions.map(\.exampleIndex), Array(0..<7))
        let scorer = ContinuationScorer(transformer: model.transformer, tokenizer: model.tokenizer)
        for p in sink.predictions {
            let example = data.examples[p.exampleIndex]
            let prompt = try MultipleChoicePrompt(example, style: .optionText)
            let direct = scorer.score(prompt.continuations.map { scorer.request(context: prompt.context, continuation: $0) })
            let acc = p.scores["acc"]!, norm = p.scores["acc_norm"]!
            XCTAssertEqual(acc.choiceScores!.count, example.choices!.count)
            for (a, d) in zip(acc.choiceScores!, direct) { XCTAssertEqual(a, d.logProb, accuracy: 1e-4) }
            let pick = MultipleChoiceRunner.argmax(acc.choiceScores!)
            let pickNorm = MultipleChoiceRunner.argmax(norm.choiceScores!)
            XCTAssertEqual(p.extracted, Example.choiceLetter(pick))
            XCTAssertEqual(p.gold, example.answer)
            XCTAssertEqual(p.correct, pick == example.goldChoiceIndex)
            XCTAssertEqual(acc.correct, p.correct)
            XCTAssertEqual(norm.extracted, Example.choiceLetter(pickNorm))
            XCTAssertEqual(norm.correct, pickNorm == example.goldChoiceIndex)
            XCTAssertEqual(p.output, "\(Example.choiceLetter(pick)). \(example.choices![pick])")
            XCTAssertTrue(p.scoresJSON.contains("\"acc_norm\":{\"correct\":"))
        }
        XCTAssertEqual(totals.n, 7)
        XCTAssertEqual(totals.correct["acc"] ?? 0, sink.predictions.filter(\.correct).count)
    }

    func testInterruptAndResumeGiveTheSamePredictions() throws {
        let model = try TinyEvalModel.make()
        let spec = ExperimentSpec(model: "tiny", modelPath: "-", task: "piqa", batchSize: 3)
        let runner = try MultipleChoiceRunner(spec: spec, model: model, dataset: dataset(), style: .letters)
        let full = RecordingSink()
        runner.run(sink: full)
        let first = RecordingSink()
        runner.run(sink: first, shouldStop: { first.batches >= 1 })
        XCTAssertEqual(first.status, "interrupted")
        XCTAssertEqual(first.predictions.count, 3)
        let rest = RecordingSink()
        runner.run(skipping: Set(first.predictions.map(\.exampleIndex)), sink: rest)
        XCTAssertEqual(rest.status, "finished")
        func timeless(_ ps: [EvalPrediction]) -> [EvalPrediction] { ps.map { var p = $0; p.seconds = 0; return p } }
        XCTAssertEqual(timeless(first.predictions + rest.predictions), timeless(full.predictions))
    }
}

// `train MODEL on TASK with METHOD … [then eval on TASK …]`.
import XCTest
@testable import QueryLanguage

final class TrainCommandTests: XCTestCase {
    func testMinimalTrain() throws {
        XCTAssertEqual(try QueryParser.parse("train smollm2-135m-instruct on gsm8k with lora"),
                       [.train(TrainCommand(model: "smollm2-135m-instruct", task: "gsm8k", method: .lora))])
    }

    func testEveryOptionAndThenEval() throws {
        let text = "TRAIN m on gsm8k WITH dora r 8 alpha 16 dropout 0.05 targets q,k,v_proj lr 2e-4 wd 0.01 "
            + "warmup 10 schedule linear steps 300 batch 8 accum 2 seq 512 limit 1000 seed 3 clip 1.0 rslora "
            + "then eval on gsm8k shots 0 limit 200 max-tokens 128"
        let expected = TrainCommand(model: "m", task: "gsm8k", method: .dora, rank: 8, alpha: 16, dropout: 0.05,
                                    targets: ["q", "k", "v_proj"], rsLoRA: true, lr: 2e-4, weightDecay: 0.01,
                                    warmup: 10, schedule: "linear", steps: 300, batch: 8, accum: 2, seq: 512,
                                    limit: 1000, seed: 3, clip: 1.0,
                                    thenEval: EvalCommand(model: "", task: "gsm8k", shots: 0, limit: 200, maxTokens: 128))
        XCTAssertEqual(try QueryParser.parse(text), [.train(expected)])
    }

    func testSeveralEvaluationsAfterTraining() throws {
        var expected = TrainCommand(model: "m", task: "gsm8k", method: .lora, steps: 100,
                                    thenEval: EvalCommand(model: "", task: "gsm8k"))
        expected.moreEvals = [EvalCommand(model: "", task: "piqa", split: "validation", limit: 500),
                              EvalCommand(model: "", task: "svamp", shots: 5, fixed: true)]
        XCTAssertEqual(try QueryParser.parse("train m on gsm8k with lora steps 100 then eval on gsm8k "
                                             + "then eval on piqa split validation limit 500 then eval on svamp shots 5 fixed"),
                       [.train(expected)])
        assertError("train m on gsm8k with lora then eval on gsm8k then", "expected `eval` after `then`, got end of input", column: 51)
    }

    func testFullFineTuningOptions() throws {
        XCTAssertEqual(try QueryParser.parse("train m on synthetic with full epochs 2 freeze-embeddings then eval on synthetic"),
                       [.train(TrainCommand(model: "m", task: "synthetic", method: .full, epochs: 2, freezeEmbeddings: true,
                                            thenEval: EvalCommand(model: "", task: "synthetic")))])
    }

    func testErrorsPointAtTheWord() {
        assertError("train m on gsm8k", "expected `with` after the task, got end of input", column: 17)
        assertError("train m on gsm8k with qlora", "expected a method (full, lora, dora) after `with`, got `qlora`", column: 23)
        assertError("train m on gsm8k with lora rank 8", "expected a train option (split, r, alpha, dropout, targets, rslora, lr, wd, warmup, schedule, epochs, steps, batch, accum, seq, limit, seed, clip, freeze-embeddings, fp32, recompute, checkpoint-every), `then eval …` or end of statement, got `rank`", column: 28)
        assertError("train m on gsm8k with lora lr 0", "lr must be positive, got `0`", column: 31)
        assertError("train m on gsm8k with lora dropout 1.5", "dropout must lie in [0, 1), got 1.5", column: 36)
        assertError("train m on gsm8k with lora epochs 1 steps 3", "give `epochs N` or `steps N`, not both", column: 28)
        assertError("train m on gsm8k with full r 8", "`r` applies to lora and dora, not full fine-tuning", column: 28)
        assertError("train m on gsm8k with lora freeze-embeddings", "`freeze-embeddings` applies to full fine-tuning (lora and dora freeze every base weight)", column: 28)
        assertError("train m on gsm8k with lora schedule step", "schedule must be one of cosine, linear, constant, got `step`", column: 37)
        assertError("train m on gsm8k with lora then gsm8k", "expected `eval` after `then`, got `gsm8k`", column: 33)
        assertError("train m on gsm8k with lora then eval on gsm8k lr 3", "expected an eval option (split, shots, fixed, chat, limit, seed, max-tokens, batch, fp32) or end of statement, got `lr`", column: 47)
        assertError("train m on gsm8k with lora batch 8 batch 4", "duplicate `batch`", column: 36)
    }

    func testTrainIsNotCompiledToSQL() {
        XCTAssertThrowsError(try QueryCompiler.compile(.train(TrainCommand(model: "m", task: "t", method: .full))))
    }
}

final class TrainRunOptionTests: XCTestCase {
    func testBaseWeightsRecomputeAndCheckpointInterval() throws {
        guard case .train(let t)? = try QueryParser.parse("train m on gsm8k with lora fp32 recompute on checkpoint-every 25").first else {
            return XCTFail("not a train statement")
        }
        XCTAssertTrue(t.fp32)
        XCTAssertEqual(t.recompute, true)
        XCTAssertEqual(t.checkpointEvery, 25)
        XCTAssertTrue(parseError("train m on gsm8k with full fp32")?.message.contains("full fine-tuning always trains fp32") ?? false)
        XCTAssertTrue(parseError("train m on gsm8k with lora recompute maybe")?.message.contains("`on` or `off`") ?? false)
        XCTAssertTrue(parseError("train m on gsm8k with lora checkpoint-every 0")?.message.contains("positive") ?? false)
    }
}

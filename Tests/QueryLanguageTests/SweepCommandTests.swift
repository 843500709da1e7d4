// `sweep …`: a grid expanded into ordinary train/eval statements.
import XCTest
@testable import QueryLanguage

final class SweepCommandTests: XCTestCase {
    private func sweep(_ text: String) throws -> SweepCommand {
        guard case .sweep(let s)? = try QueryParser.parse(text).first else { XCTFail("not a sweep"); throw CancellationError() }
        return s
    }

    func testGridOfTrainingAndBaselines() throws {
        let s = try sweep("sweep a, b on gsm8k with zero-shot, 5-shot, lora, full lr 1e-4, 2e-5 seeds 0..1 steps 100 "
                          + "then eval on gsm8k limit 500 name study")
        // Per model: zero-shot once (lr and seed do not apply), 5-shot once per seed, lora and
        // full once per lr × seed: 1 + 2 + 4 + 4 = 11.
        XCTAssertEqual(s.points.count, 22)
        XCTAssertEqual(s.name, "study")
        XCTAssertNil(s.slurmDirectory)
        let then = EvalCommand(model: "", task: "gsm8k", limit: 500)
        XCTAssertEqual(s.points[0], .eval(EvalCommand(model: "a", task: "gsm8k", limit: 500)))
        XCTAssertEqual(s.points[1], .eval(EvalCommand(model: "a", task: "gsm8k", shots: 5, fixed: true, limit: 500, seed: 0)))
        XCTAssertEqual(s.points[3], .train(TrainCommand(model: "a", task: "gsm8k", method: .lora, lr: 1e-4, steps: 100,
                                                        seed: 0, thenEval: then)))
        XCTAssertEqual(s.points[10], .train(TrainCommand(model: "a", task: "gsm8k", method: .full, lr: 2e-5, steps: 100,
                                                         seed: 1, thenEval: then)))
        guard case .train(let last) = s.points[21] else { return XCTFail() }
        XCTAssertEqual(last.model, "b")
    }

    func testEveryTrainingPointGetsEveryEvaluation() throws {
        let s = try sweep("sweep a on gsm8k with lora, dora then eval on gsm8k then eval on piqa split validation limit 500")
        XCTAssertEqual(s.points.count, 2)
        for point in s.points {
            guard case .train(let t) = point else { return XCTFail() }
            XCTAssertEqual(t.thenEval, EvalCommand(model: "", task: "gsm8k"))
            XCTAssertEqual(t.moreEvals, [EvalCommand(model: "", task: "piqa", split: "validation", limit: 500)])
        }
    }

    /// A further `then eval on B` evaluates every point on B: the tuned model for a training, the
    /// untouched model with the point's prompting for zero-shot and K-shot — so a forgetting probe
    /// has its baselines in the same sweep.
    func testFurtherEvaluationsReachZeroAndFewShotPointsToo() throws {
        let s = try sweep("sweep m on gsm8k with zero-shot, 5-shot, lora then eval on gsm8k limit 10 "
                          + "then eval on piqa split validation limit 5")
        XCTAssertEqual(s.points, [
            .eval(EvalCommand(model: "m", task: "gsm8k", limit: 10)),
            .eval(EvalCommand(model: "m", task: "piqa", split: "validation", limit: 5)),
            .eval(EvalCommand(model: "m", task: "gsm8k", shots: 5, fixed: true, limit: 10)),
            .eval(EvalCommand(model: "m", task: "piqa", split: "validation", shots: 5, fixed: true, limit: 5)),
            trainPoint(),
        ])
        func trainPoint() -> Command {
            var t = TrainCommand(model: "m", task: "gsm8k", method: .lora, thenEval: EvalCommand(model: "", task: "gsm8k", limit: 10))
            t.moreEvals = [EvalCommand(model: "", task: "piqa", split: "validation", limit: 5)]
            return .train(t)
        }
        XCTAssertEqual(parseError("sweep m on gsm8k with zero-shot then eval on gsm8k then")?.message,
                       "expected `eval` after `then`, got end of input")
        XCTAssertEqual(parseError("sweep m on gsm8k with zero-shot then eval on gsm8k then train")?.message,
                       "expected `eval` after `then`, got `train`")
    }

    func testEvaluationGridTakesTheOptions() throws {
        let s = try sweep("sweep m on gsm8k with zero-shot, 3-shot limit 50 batch 16 emit slurm out/dir")
        XCTAssertEqual(s.points, [.eval(EvalCommand(model: "m", task: "gsm8k", limit: 50, batch: 16)),
                                  .eval(EvalCommand(model: "m", task: "gsm8k", shots: 3, fixed: true, limit: 50, batch: 16))])
        XCTAssertEqual(s.slurmDirectory, "out/dir")
    }

    func testSweepStatus() throws {
        XCTAssertEqual(try QueryParser.parse("sweep status 3"), [.sweepStatus(3)])
        let sql = try compileOne("sweep status 3")
        XCTAssertTrue(sql.sql.contains("FROM q_runs WHERE"), sql.sql)
        XCTAssertEqual(sql.arguments, [.integer(3)])
    }

    func testErrorsAreThoseOfTheStatementsAndTheGrid() {
        XCTAssertTrue(parseError("sweep m on gsm8k with lora, sft")?.message.contains("expected a method") ?? false)
        XCTAssertTrue(parseError("sweep m on gsm8k with lora seeds 3..1")?.message.contains("seed range") ?? false)
        XCTAssertTrue(parseError("sweep m on gsm8k with lora bogus 3")?.message.contains("expected a train option") ?? false)
        XCTAssertTrue(parseError("sweep m on gsm8k with full r 8")?.message.contains("applies to lora and dora") ?? false)
        XCTAssertTrue(parseError("sweep m, on gsm8k with lora")?.message.contains("expected") ?? false)
    }
}

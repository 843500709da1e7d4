// `eval MODEL on TASK …` and `resume run N`.
import XCTest
@testable import QueryLanguage

final class EvalCommandTests: XCTestCase {
    func testMinimalEval() throws {
        XCTAssertEqual(try QueryParser.parse("eval smollm2-135m-instruct on gsm8k"),
                       [.eval(EvalCommand(model: "smollm2-135m-instruct", task: "gsm8k"))])
    }

    func testEveryOptionInAnyOrder() throws {
        let expected = EvalCommand(model: "/m/a b.gguf", task: "gsm8k", split: "train", shots: 5, fixed: true,
                                   chat: true, limit: 50, seed: 3, maxTokens: 128)
        XCTAssertEqual(try QueryParser.parse(#"EVAL "/m/a b.gguf" ON gsm8k split train shots 5 fixed chat limit 50 seed 3 max-tokens 128"#),
                       [.eval(expected)])
        XCTAssertEqual(try QueryParser.parse(#"eval "/m/a b.gguf" on gsm8k max-tokens 128 seed 3 chat fixed limit 50 shots 5 split train"#),
                       [.eval(expected)])
    }

    func testBatchWidthAndFP32() throws {
        XCTAssertEqual(try QueryParser.parse("eval m on gsm8k batch 24 fp32"),
                       [.eval(EvalCommand(model: "m", task: "gsm8k", batch: 24, fp32: true))])
        XCTAssertThrowsError(try QueryParser.parse("eval m on gsm8k batch 0"))
        XCTAssertThrowsError(try QueryParser.parse("eval m on gsm8k batch 8 batch 16"))
    }

    func testPathModelAndSeedZero() throws {
        XCTAssertEqual(try QueryParser.parse("eval /tmp/x.gguf on synthetic seed 0 shots 0"),
                       [.eval(EvalCommand(model: "/tmp/x.gguf", task: "synthetic", seed: 0))])
    }

    func testResume() throws {
        XCTAssertEqual(try QueryParser.parse("resume run 4"), [.resume(4)])
        XCTAssertEqual(try QueryParser.parse("RESUME RUN 12; runs limit 1").first, .resume(12))
    }

    func testErrorsPointAtTheWord() {
        assertError("eval m gsm8k", "expected `on` after the model, got `gsm8k`", column: 8)
        assertError("eval m on gsm8k limt 3", "expected an eval option (split, shots, fixed, chat, limit, seed, max-tokens, batch, fp32) or end of statement, got `limt` (did you mean `limit`?)", column: 17)
        assertError("eval m on gsm8k limit 0", "limit must be a positive integer, got `0`", column: 23)
        assertError("eval m on gsm8k shots -1", "shots must be a non-negative integer, got `-1`", column: 23)
        assertError("eval m on gsm8k chat chat", "duplicate `chat`", column: 22)
        assertError("eval m on gsm8k fixed", "`fixed` needs `shots K` with K > 0", column: 17)
        assertError("eval", "expected a model (catalog key or .gguf path) after `eval`, got end of input", column: 5)
        assertError("resume 3", "expected `run` after `resume`, got `3`", column: 8)
        assertError("resume run 3 now", "expected end of statement after `resume run 3`, got `now`", column: 14)
    }

    func testEvalIsNotCompiledToSQL() {
        XCTAssertThrowsError(try QueryCompiler.compile(.resume(1)))
    }
}

// Every kind of error: message, 1-based line/column of the offending token, and its length.
import XCTest
@testable import QueryLanguage

final class ErrorTests: XCTestCase {
    func testUnknownFieldSuggestsNearest() {
        assertError("runs where acuracy > 0.1", "unknown field `acuracy` for runs (did you mean `accuracy`?)", column: 12, length: 7)
        // A prefix counts as a near miss even when the edit distance is large.
        assertError("runs select acc", "unknown field `acc` for runs (did you mean `accuracy`?)", column: 13, length: 3)
        // A field of another source is unknown here, with no far-fetched suggestion.
        assertError("models where accuracy > 0.5", "unknown field `accuracy` for models", column: 14, length: 8)
        assertError("steps order by lose", "unknown field `lose` for steps (did you mean `loss`?)", column: 16, length: 4)
    }

    func testUnknownSourceSuggestsNearest() {
        assertError("rnus where id = 1", "unknown source `rnus` (did you mean `runs`?)", column: 1, length: 4)
        assertError("predictons of run 3", "unknown source `predictons` (did you mean `predictions`?)", column: 1, length: 10)
        assertError("select model from rns", "unknown source `rns` (did you mean `runs`?)", column: 19, length: 3)
        assertError("select model from", "expected a source (runs, predictions, steps, models, datasets, sweeps), got end of input", column: 18, length: 1)
        assertError("(runs)", "expected a source (runs, predictions, steps, models, datasets, sweeps), `show run N`, `accuracy by …` or `count by …`, got `(`", column: 1, length: 1)
    }

    func testUnexpectedTokens() {
        assertError("runs where accuracy 0.5", "expected an operator (=, !=, <, <=, >, >=, ~, in, not in) after `accuracy`, got `0.5`", column: 21, length: 3)
        assertError("runs order model", "expected `by` after `order`, got `model`", column: 12, length: 5)
        assertError("runs where (method = lora", "expected `)` to close the `(` at 1:12, got end of input", column: 26, length: 1)
        assertError("runs where", "expected a field name, got end of input", column: 11, length: 1)
        assertError("runs where method = lora or", "expected a field name, got end of input", column: 28, length: 1)
        assertError("runs select where", "expected a field name, got `where`", column: 13, length: 5)
        assertError("runs of run 3", "expected `select`, `where`, `order by`, `limit` or end of statement, got `of`", column: 6, length: 2)
        assertError("runs where id in 1", "expected `(` to start the list, got `1`", column: 18, length: 1)
        assertError("runs where id in (1 2)", "expected `,` or `)` in the list, got `2`", column: 21, length: 1)
        // The `;` that ends a statement is reported as such.
        assertError("runs where id = ; models", "expected a value after `id =`, got `;`", column: 17, length: 1)
    }

    func testUnterminatedString() {
        assertError(#"runs where model = "abc"#, "unterminated string", column: 20, length: 4)
        assertError("runs where model = 'it''s", "unterminated string", column: 20, length: 6)
    }

    func testUnexpectedCharacters() {
        assertError("runs where id = 1 & id = 2", "unexpected character `&`", column: 19, length: 1)
        assertError("runs where id ! 1", "unexpected character `!` (did you mean `!=`?)", column: 15, length: 1)
    }

    func testBadNumbersAndTypeMismatches() {
        assertError("runs where accuracy > 1.2.3", "bad number `1.2.3`", column: 23, length: 5)
        assertError("steps where lr = 2e-", "bad number `2e-`", column: 18, length: 3)
        assertError("runs where accuracy > abc", "`accuracy` is a number, got text `abc`", column: 23, length: 3)
        assertError("runs where shots = 'five'", "`shots` is a number, got text `five`", column: 20, length: 6)
    }

    func testValuesOutsideAllowedSet() {
        assertError("runs where method = lroa", "unknown method `lroa` (did you mean `lora`?)", column: 21, length: 4)
        assertError("runs where status in (done, faild)", "unknown status `faild` (did you mean `failed`?)", column: 29, length: 5)
        assertError("runs where family = gpt", "unknown family `gpt` (expected one of llama, qwen2, gemma3)", column: 21, length: 3)
        assertError("runs where kind != evals", "unknown kind `evals` (did you mean `eval`?)", column: 20, length: 5)
    }

    func testNullMisuse() {
        assertError("runs where accuracy < null", "`null` can only be compared with = or !=", column: 23, length: 4)
        assertError("runs where method in (lora, null)", "`null` cannot appear in an `in` list; use `method = null`", column: 29, length: 4)
    }

    func testLimitMustBeAPositiveInteger() {
        assertError("runs limit 0", "limit must be a positive integer, got `0`", column: 12, length: 1)
        assertError("runs limit -3", "limit must be a positive integer, got `-3`", column: 12, length: 2)
        assertError("runs limit 2.5", "limit must be a positive integer, got `2.5`", column: 12, length: 3)
        assertError("runs limit", "limit must be a positive integer, got end of input", column: 11, length: 1)
    }

    func testDuplicateClauses() {
        assertError("runs where id = 1 where id = 2", "duplicate `where` clause", column: 19, length: 5)
        assertError("select id from runs select model", "duplicate `select` clause", column: 21, length: 6)
    }

    func testShowRunAndPredictionsOfRunErrors() {
        assertError("show run 0", "run id must be a positive integer, got `0`", column: 10, length: 1)
        assertError("show run", "run id must be a positive integer, got end of input", column: 9, length: 1)
        assertError("show 5", "expected `run` after `show`, got `5`", column: 6, length: 1)
        assertError("show run 5 6", "expected end of statement after `show run 5`, got `6`", column: 12, length: 1)
        assertError("predictions of run x", "run id must be a positive integer, got `x`", column: 20, length: 1)
    }

    func testPivotErrors() {
        assertError("accuracy model", "expected `by` after `accuracy`, got `model`", column: 10, length: 5)
        assertError("accuracy by acuracy", "unknown field `acuracy` for runs (did you mean `accuracy`?)", column: 13, length: 7)
        assertError("count by model limit 3", "expected `,`, `where` or end of statement, got `limit`", column: 16, length: 5)
        assertError("count by method, n", "cannot pivot by `n`: the pivot's own `n` column counts the runs in each group", column: 18, length: 1)
    }

    func testPositionsAcrossStatementsAndLines() {
        assertError("runs; rnus", "unknown source `rnus` (did you mean `runs`?)", column: 7, length: 4)
        // Scripts pass their line number; it is what the error reports.
        assertError("runs where acuracy > 1", "unknown field `acuracy` for runs (did you mean `accuracy`?)",
                    column: 12, length: 7, errorLine: 1)
        XCTAssertEqual(parseError("runs where acuracy > 1", startLine: 3)?.line, 3)
        let multi = parseError("runs;\nmodels where famly = llama", startLine: 5)
        XCTAssertEqual(multi, QueryError(message: "unknown field `famly` for models (did you mean `family`?)",
                                         line: 6, column: 14, length: 5))
    }
}

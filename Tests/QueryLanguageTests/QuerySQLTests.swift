// Exact SQL and arguments for ordinary queries.
import XCTest
@testable import QueryLanguage

final class QuerySQLTests: XCTestCase {
    func testBareSourceSelectsDefaultColumns() throws {
        let c = try compileOne("runs")
        XCTAssertEqual(c.sql, #"SELECT "id", "model", "method", "task", "shots", "seed", "status", "n", "accuracy" FROM q_runs"#)
        XCTAssertEqual(c.arguments, [])
        XCTAssertEqual(c.columns, ["id", "model", "method", "task", "shots", "seed", "status", "n", "accuracy"])
    }

    func testDefaultColumnsOfOtherSources() throws {
        XCTAssertEqual(try compileOne("steps").sql, #"SELECT "run", "step", "loss", "lr", "grad_norm" FROM q_steps"#)
        XCTAssertEqual(try compileOne("datasets").sql, #"SELECT "task", "split", "size", "hash" FROM q_datasets"#)
        XCTAssertEqual(try compileOne("models").columns, ["model", "family", "params", "format", "hash"])
        XCTAssertEqual(try compileOne("predictions").columns, ["run", "example", "extracted", "gold", "correct", "output"])
    }

    func testAllClauses() throws {
        let c = try compileOne("runs select model, accuracy where method = lora and accuracy > 0.1 order by accuracy desc, model limit 5")
        XCTAssertEqual(c.sql, #"SELECT "model", "accuracy" FROM q_runs WHERE "method" = ? AND "accuracy" > ? ORDER BY "accuracy" DESC, "model" ASC LIMIT ?"#)
        XCTAssertEqual(c.arguments, [.text("lora"), .real(0.1), .integer(5)])
        XCTAssertEqual(c.columns, ["model", "accuracy"])
    }

    func testClausesInAnyOrderAndSelectFirst() throws {
        let canonical = try parseQuery("runs select model where shots >= 5 order by seed asc limit 3")
        XCTAssertEqual(try parseQuery("runs limit 3 order by seed where shots >= 5 select model"), canonical)
        XCTAssertEqual(try parseQuery("select model from runs where shots >= 5 order by seed limit 3"), canonical)
        XCTAssertEqual(canonical, Query(source: .runs, select: ["model"],
                                        filter: .compare(field: "shots", op: .ge, value: .integer(5)),
                                        order: [OrderKey(field: "seed")], limit: 3))
    }

    func testSelectStarListsEveryField() throws {
        let c = try compileOne("select * from models")
        XCTAssertEqual(c.sql, #"SELECT "id", "model", "family", "params", "format", "path", "hash", "added", "base" FROM q_models"#)
        XCTAssertEqual(try compileOne("datasets select *").columns, ["id", "task", "split", "size", "hash", "path", "added"])
    }

    func testKeywordsFieldsAndEnumValuesAreCaseInsensitive() throws {
        let c = try compileOne("RUNS Where Method = LoRA ORDER BY Accuracy DESC")
        XCTAssertEqual(c.sql, #"SELECT "id", "model", "method", "task", "shots", "seed", "status", "n", "accuracy" FROM q_runs WHERE "method" = ? ORDER BY "accuracy" DESC"#)
        XCTAssertEqual(c.arguments, [.text("lora")])  // canonical spelling is bound
    }

    func testComparisonOperators() throws {
        let c = try compileOne("steps where step < 1 and step <= 2 and loss > 3 and loss >= 4 and run != 5 and run = 6")
        XCTAssertEqual(c.sql, #"SELECT "run", "step", "loss", "lr", "grad_norm" FROM q_steps WHERE "step" < ? AND "step" <= ? AND "loss" > ? AND "loss" >= ? AND "run" <> ? AND "run" = ?"#)
        XCTAssertEqual(c.arguments, [.integer(1), .integer(2), .real(3), .real(4), .integer(5), .integer(6)])
    }

    func testOperatorsNeedNoSpaces() throws {
        XCTAssertEqual(try parseQuery("runs where accuracy>=0.5").filter,
                       .compare(field: "accuracy", op: .ge, value: .real(0.5)))
        XCTAssertEqual(try parseQuery("runs where model~smol*").filter,
                       .compare(field: "model", op: .glob, value: .text("smol*")))
    }

    func testInAndNotIn() throws {
        let c = try compileOne(#"runs select id where method in (lora, dora) and model not in ("a", 'b') and seed in (1)"#)
        XCTAssertEqual(c.sql, #"SELECT "id" FROM q_runs WHERE "method" IN (?, ?) AND "model" NOT IN (?, ?) AND "seed" IN (?)"#)
        XCTAssertEqual(c.arguments, [.text("lora"), .text("dora"), .text("a"), .text("b"), .integer(1)])
    }

    func testNullComparisons() throws {
        let c = try compileOne(#"runs select id where error = null or finished != NULL or host = "null""#)
        XCTAssertEqual(c.sql, #"SELECT "id" FROM q_runs WHERE "error" IS NULL OR "finished" IS NOT NULL OR "host" = ?"#)
        XCTAssertEqual(c.arguments, [.text("null")])  // a quoted "null" is text
    }

    func testGlobBindsTextAndSkipsEnumCheck() throws {
        let c = try compileOne("runs select id where model ~ smollm2-* and method ~ l*ra and params ~ 1[35]*")
        XCTAssertEqual(c.sql, #"SELECT "id" FROM q_runs WHERE "model" GLOB ? AND "method" GLOB ? AND "params" GLOB ?"#)
        XCTAssertEqual(c.arguments, [.text("smollm2-*"), .text("l*ra"), .text("1[35]*")])
    }

    func testNumberForms() throws {
        let c = try compileOne("runs select id where lr = 2e-4 or lr = .5 or alpha = 16 or shots > -2 or shots < 2.5 or lr = 1E+3")
        XCTAssertEqual(c.arguments, [.real(0.0002), .real(0.5), .real(16), .integer(-2), .real(2.5), .real(1000)])
    }

    func testNumbersComparedWithTextFieldsBindAsTypedText() throws {
        let c = try compileOne("runs select id where task = 123 or engine = 1.2.3 or host = 2e-4")
        XCTAssertEqual(c.arguments, [.text("123"), .text("1.2.3"), .text("2e-4")])
    }

    func testQuotedNumbersForNumericFields() throws {
        XCTAssertEqual(try parseQuery(#"runs where shots = "5""#).filter,
                       .compare(field: "shots", op: .eq, value: .integer(5)))
    }

    func testBareWordsWithPunctuation() throws {
        let c = try compileOne("runs select id where model = qwen2.5-coder-0.5b-instruct or host = lab/gpu:7 or method = few_shot")
        XCTAssertEqual(c.arguments, [.text("qwen2.5-coder-0.5b-instruct"), .text("lab/gpu:7"), .text("few_shot")])
    }

    func testStringEscapes() throws {
        let c = try compileOne(#"runs select id where host = 'it''s' or host = "a\"b" or host = "say ""hi""" or host = 'C:\data' or host = 'a\\b' or host = "x\ty""#)
        XCTAssertEqual(c.arguments, [.text("it's"), .text("a\"b"), .text("say \"hi\""), .text("C:\\data"), .text("a\\b"), .text("x\ty")])
    }

    func testHandBuiltQueryIsValidatedByTheCompiler() {
        let bad = Query(source: .runs, select: ["id\" FROM runs; --"])
        XCTAssertThrowsError(try QueryCompiler.compile(bad)) { error in
            XCTAssertEqual((error as? QueryError)?.line, 0)
            XCTAssertEqual((error as? QueryError)?.message, "unknown field `id\" FROM runs; --` for runs")
        }
        XCTAssertThrowsError(try QueryCompiler.compile(Query(source: .runs, limit: 0)))
        XCTAssertEqual(try QueryCompiler.compile(Query(source: .models, select: ["MODEL"])).sql,
                       #"SELECT "model" FROM q_models"#)
    }
}

// `show run`, `predictions of run`, pivots, and several statements per line.
import XCTest
@testable import QueryLanguage

final class CommandTests: XCTestCase {
    func testShowRun() throws {
        XCTAssertEqual(try QueryParser.parse("show run 12"), [.showRun(12)])
        XCTAssertEqual(try QueryParser.parse("SHOW RUN 3"), [.showRun(3)])
        let c = QueryCompiler.compileShowRun(12)
        let all = FieldCatalog.fields(for: .runs).map(\.name)
        XCTAssertEqual(c.columns, all)
        XCTAssertEqual(c.sql, "SELECT " + all.map { "\"\($0)\"" }.joined(separator: ", ") + #" FROM q_runs WHERE "id" = ?"#)
        XCTAssertEqual(c.arguments, [.integer(12)])
    }

    func testPredictionsOfRun() throws {
        let q = try parseQuery("predictions of run 7 where correct = 0")
        XCTAssertEqual(q, Query(source: .predictions, filter: .and(
            .compare(field: "run", op: .eq, value: .integer(7)),
            .compare(field: "correct", op: .eq, value: .integer(0)))))
        let c = try QueryCompiler.compile(q)
        XCTAssertEqual(c.sql, #"SELECT "run", "example", "extracted", "gold", "correct", "output" FROM q_predictions WHERE "run" = ? AND "correct" = ?"#)
        XCTAssertEqual(c.arguments, [.integer(7), .integer(0)])
    }

    func testPredictionsOfRunKeepsOrFilterTogether() throws {
        let c = try compileOne("predictions of run 7 where correct = 0 or extracted = null select example, gold order by example limit 10")
        XCTAssertEqual(c.sql, #"SELECT "example", "gold" FROM q_predictions WHERE "run" = ? AND ("correct" = ? OR "extracted" IS NULL) ORDER BY "example" ASC LIMIT ?"#)
        XCTAssertEqual(c.arguments, [.integer(7), .integer(0), .integer(10)])
        XCTAssertEqual(try parseQuery("predictions of run 3").filter, .compare(field: "run", op: .eq, value: .integer(3)))
    }

    func testSelectFirstWithPredictionsOfRun() throws {
        let c = try compileOne("select example, gold from predictions of run 7 where correct = 1 limit 3")
        XCTAssertEqual(c.sql, #"SELECT "example", "gold" FROM q_predictions WHERE "run" = ? AND "correct" = ? LIMIT ?"#)
        XCTAssertEqual(c.arguments, [.integer(7), .integer(1), .integer(3)])
    }

    func testHandBuiltPivotIsValidated() {
        XCTAssertThrowsError(try QueryCompiler.compile(Pivot(metric: .count, by: [])))
        XCTAssertThrowsError(try QueryCompiler.compile(Pivot(metric: .count, by: ["grad_norm"]))) { error in
            XCTAssertEqual((error as? QueryError)?.message, "unknown field `grad_norm` for runs")
        }
    }

    func testAccuracyPivot() throws {
        let commands = try QueryParser.parse("accuracy by model, method where task = gsm8k")
        let pivot = Pivot(metric: .accuracy, by: ["model", "method"],
                          filter: .compare(field: "task", op: .eq, value: .text("gsm8k")))
        XCTAssertEqual(commands, [.pivot(pivot)])
        let c = try QueryCompiler.compile(pivot)
        XCTAssertEqual(c.sql, #"SELECT "model", "method", AVG("accuracy") AS "value", COUNT(*) AS "n" FROM q_runs WHERE "accuracy" IS NOT NULL AND "status" = 'done' AND ("task" = ?) GROUP BY "model", "method" ORDER BY MIN("params") ASC, "model" ASC, CASE "method" WHEN 'zero_shot' THEN 0 WHEN 'few_shot' THEN 1 WHEN 'full' THEN 2 WHEN 'lora' THEN 3 WHEN 'dora' THEN 4 ELSE 5 END"#)
        XCTAssertEqual(c.arguments, [.text("gsm8k")])
        XCTAssertEqual(c.columns, ["model", "method", "value", "n"])
    }

    func testAccuracyPivotWithoutFilterStillSkipsMissingAccuracy() throws {
        let c = try compileOne("accuracy by task")
        XCTAssertEqual(c.sql, #"SELECT "task", AVG("accuracy") AS "value", COUNT(*) AS "n" FROM q_runs WHERE "accuracy" IS NOT NULL AND "status" = 'done' GROUP BY "task" ORDER BY "task" ASC"#)
    }

    func testAccuracyPivotAveragesOtherStatusesOnlyWhenTheFilterNamesThem() throws {
        // An interrupted run's accuracy is over the questions answered so far: left out by default,
        // in when the filter chooses statuses, wherever `status` appears in it.
        XCTAssertEqual(try compileOne("accuracy by model where status = interrupted").sql,
                       #"SELECT "model", AVG("accuracy") AS "value", COUNT(*) AS "n" FROM q_runs WHERE "accuracy" IS NOT NULL AND ("status" = ?) GROUP BY "model" ORDER BY MIN("params") ASC, "model" ASC"#)
        XCTAssertEqual(try compileOne("accuracy by model where task = gsm8k and not status in (failed)").sql,
                       #"SELECT "model", AVG("accuracy") AS "value", COUNT(*) AS "n" FROM q_runs WHERE "accuracy" IS NOT NULL AND ("task" = ? AND NOT ("status" IN (?))) GROUP BY "model" ORDER BY MIN("params") ASC, "model" ASC"#)
        // `count by` counts every run it is asked about.
        XCTAssertFalse(try compileOne("count by model").sql.contains("status"))
    }

    func testCountPivot() throws {
        let c = try compileOne("count by status, seed where method = lora or method = dora")
        XCTAssertEqual(c.sql, #"SELECT "status", "seed", COUNT(*) AS "value", COUNT(*) AS "n" FROM q_runs WHERE "method" = ? OR "method" = ? GROUP BY "status", "seed" ORDER BY "status" ASC, "seed" ASC"#)
        XCTAssertEqual(c.arguments, [.text("lora"), .text("dora")])
        XCTAssertEqual(try compileOne("count by method").sql,
                       #"SELECT "method", COUNT(*) AS "value", COUNT(*) AS "n" FROM q_runs GROUP BY "method" ORDER BY CASE "method" WHEN 'zero_shot' THEN 0 WHEN 'few_shot' THEN 1 WHEN 'full' THEN 2 WHEN 'lora' THEN 3 WHEN 'dora' THEN 4 ELSE 5 END"#)
    }

    func testSeveralStatementsAndEmptyOnes() throws {
        let commands = try QueryParser.parse(" runs limit 1 ; ;show run 2;\t models where model = 'a;b' ;")
        XCTAssertEqual(commands, [
            .query(Query(source: .runs, limit: 1)),
            .showRun(2),
            .query(Query(source: .models, filter: .compare(field: "model", op: .eq, value: .text("a;b")))),
        ])
        XCTAssertEqual(try QueryParser.parse(""), [])
        XCTAssertEqual(try QueryParser.parse("  ;; "), [])
    }

    func testCompileCommandDispatches() throws {
        XCTAssertEqual(try QueryCompiler.compile(Command.showRun(4)), QueryCompiler.compileShowRun(4))
    }
}

import Console
import Store
import TestSupport
import XCTest

final class OutputModeTests: XCTestCase {
    /// `.mode csv` + `.output f.csv` writes a file that a CSV parser reads back to exactly the
    /// values in the database — including text with commas, quotes and newlines.
    func testCSVOutputFileReadsBackIdentically() throws {
        let f = try SessionFixture()
        let store = try ResultsStore(path: f.databasePath)
        let run = f.summary.runs[0]
        let tricky = "He said \"72, not 7\",\nthen left.  "
        try store.insertPredictions([PredictionRecord(runID: run.id, exampleIndex: 500, output: tricky,
                                                      extracted: "72", gold: "1,000", correct: false)])
        let path = f.directory.path("out.csv")
        XCTAssertTrue(f.run(".mode csv").ok)
        XCTAssertTrue(f.run(".output \(path)").ok)
        XCTAssertTrue(f.run("predictions of run \(run.id) select example, output, gold, correct order by example").ok)
        XCTAssertTrue(f.run(".output").ok)
        XCTAssertEqual(f.output.text, "", "nothing went to the terminal")

        let parsed = CSVParser.parse(try String(contentsOfFile: path, encoding: .utf8))
        let expected = try store.select(sql: "SELECT example_index, output, gold, correct FROM predictions WHERE run_id = ? ORDER BY example_index",
                                        arguments: [.integer(run.id)])
        XCTAssertEqual(parsed.first, ["example", "output", "gold", "correct"])
        XCTAssertEqual(parsed.count - 1, expected.rows.count)
        for (row, want) in zip(parsed.dropFirst(), expected.rows) {
            XCTAssertEqual(row, want.map { v -> String in
                switch v {
                case .integer(let i): return String(i)
                case .text(let s): return s
                default: return "?"
                }
            })
        }
        XCTAssertEqual(parsed.last?[1], tricky)
    }

    func testOnceWritesOnlyTheNextResult() throws {
        let f = try SessionFixture()
        let path = f.directory.path("once.md")
        XCTAssertTrue(f.run(".mode markdown").ok)
        XCTAssertTrue(f.run(".once \(path)").ok)
        XCTAssertTrue(f.run("count by method").ok)
        XCTAssertTrue(f.run("count by family").ok)
        let file = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(file.contains("zero_shot") && !file.contains("gemma3"), file)
        XCTAssertTrue(f.output.text.contains("gemma3"), "the second result went to the terminal")
    }

    func testJSONModeIsValidJSONWithTypedValues() throws {
        let f = try SessionFixture()
        f.session.options.mode = .json
        let out = f.run("runs select id, model, accuracy, lr order by id limit 2").out
        let objects = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]])
        XCTAssertEqual(objects.count, 2)
        XCTAssertEqual(objects[0]["id"] as? Int, Int(f.summary.runs[0].id))
        XCTAssertEqual(objects[0]["accuracy"] as? Double, f.summary.runs[0].accuracy)
        XCTAssertTrue(objects[0]["lr"] is NSNull)
    }

    func testTableModeAlignsNumbersRightAndCutsLongText() throws {
        let table = ResultTable(columns: ["id", "output"], rows: [[.integer(7), .text(String(repeating: "x", count: 200))],
                                                                  [.integer(123), .text("short")]])
        var o = RenderOptions()
        o.width = 40
        let lines = TableRenderer.render(table, options: o).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[2].prefix(3), "  7")
        XCTAssertEqual(lines[3].prefix(3), "123")
        XCTAssertTrue(lines.allSatisfy { $0.count <= 40 }, lines.joined(separator: "\n"))
        XCTAssertTrue(lines[2].hasSuffix("…"))
    }

    func testMaxRowsCountsTheRest() throws {
        let f = try SessionFixture()
        XCTAssertTrue(f.run(".maxrows 4").ok)
        let out = f.run("runs").out
        XCTAssertTrue(out.contains("… 26 more rows"), out)
    }
}

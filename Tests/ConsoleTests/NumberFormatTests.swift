@testable import Console
import Store
import XCTest

/// One number format per field kind in the tables people read (issue 14): accuracy 3 decimals,
/// seconds 1, loss 4; other real columns the same decimals on every row; csv and json raw.
final class NumberFormatTests: XCTestCase {
    static let table = ResultTable(
        columns: ["run", "accuracy", "seconds", "loss", "lr", "alpha"],
        rows: [[.integer(1), .real(0), .real(26.345621326), .real(1.23456789), .real(2e-4), .real(16)],
               [.integer(2), .real(0.015625), .integer(3), .real(0.5), .real(1e-5), .real(0.5)]])

    func testTableModeFormatsEachFieldKindAlike() {
        let text = TableRenderer.render(Self.table, options: RenderOptions())
        XCTAssertEqual(text, """
            run  accuracy  seconds    loss      lr  alpha
            ───  ────────  ───────  ──────  ──────  ─────
              1     0.000     26.3  1.2346  0.0002   16.0
              2     0.016      3.0  0.5000   1e-05    0.5

            """)
    }

    func testMarkdownAndLineModesUseTheSameRule() {
        var o = RenderOptions()
        o.mode = .markdown
        let markdown = TableRenderer.render(Self.table, options: o).split(separator: "\n")
        XCTAssertEqual(markdown[2], "|   1 |    0.000 |    26.3 | 1.2346 | 0.0002 |  16.0 |")
        XCTAssertEqual(markdown[3], "|   2 |    0.016 |     3.0 | 0.5000 |  1e-05 |   0.5 |")
        o.mode = .line
        let line = TableRenderer.render(Self.table, options: o)
        XCTAssertTrue(line.hasPrefix("     run = 1\naccuracy = 0.000\n seconds = 26.3\n    loss = 1.2346\n"), line)
    }

    func testCSVAndJSONKeepRawValues() {
        var o = RenderOptions()
        o.mode = .csv
        XCTAssertEqual(TableRenderer.render(Self.table, options: o),
                       "run,accuracy,seconds,loss,lr,alpha\r\n1,0.0,26.345621326,1.23456789,0.0002,16.0\r\n2,0.015625,3,0.5,1e-05,0.5\r\n")
        o.mode = .json
        XCTAssertTrue(TableRenderer.render(Self.table, options: o).contains("\"accuracy\": 0.015625, \"seconds\": 3"))
    }

    func testNegativeZeroAndNullsStayReadable() {
        XCTAssertEqual(ColumnFormat.field(3).text(.real(-0.0001)), "0.000")
        XCTAssertEqual(ColumnFormat.field(3).text(.null), "NULL")
        XCTAssertEqual(ColumnFormat.of(column: "delta", values: [.real(-0.25), .real(0.1)]), .decimals(2))
        XCTAssertEqual(ColumnFormat.of(column: "lr", values: [.real(0.01), .real(3e-5)]), .general)
    }
}

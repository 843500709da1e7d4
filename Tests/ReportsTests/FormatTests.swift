import Reports
import XCTest

final class FormatTests: XCTestCase {
    func testNumbersReadTheSameEverywhere() {
        XCTAssertEqual(Format.params(Int64(134_515_008)), "135M")
        XCTAssertEqual(Format.params(Int64(1_700_000_000)), "1.7B")
        XCTAssertEqual(Format.params(Int64(360_000_000)), "360M")
        XCTAssertEqual(Format.signed(-0.175), "-0.175")
        XCTAssertEqual(Format.signed(0.05), "+0.050")
        XCTAssertEqual(Format.signed(-0.0001), "+0.000", "no negative zero")
        XCTAssertEqual(Format.pValue(0.03125), "0.031")
        XCTAssertEqual(Format.pValue(5e-26), "<0.001")
        XCTAssertEqual(Format.interval(Interval(-0.3, 0.075), signed: true), "[-0.300, +0.075]")
        XCTAssertEqual(Format.fixed(.nan), "n/a")
    }

    func testCellsAndLinesCannotBreakTables() {
        XCTAssertEqual(Format.cell("a | b\nc"), "a \\| b c")
        XCTAssertEqual(Format.oneLine("abcdefghij", limit: 5), "abcd…")
    }

    func testCSVQuotesOnlyWhatNeedsIt() throws {
        let study = try StudyAnalysis.analyze([
            RunBuilder.run(1, model: "a,b", method: "zero_shot", outcomes: "10"),
            RunBuilder.run(2, model: "a,b", method: "full", outcomes: "00"),
        ], bootstrap: PairedBootstrap(resamples: 10))
        let lines = CSVReport.runs(study).split(separator: "\n")
        XCTAssertEqual(lines.count, 3)
        XCTAssertTrue(lines[1].hasPrefix("\"a,b\",llama,100000000,gsm8k,test,zero_shot,1,1,,2,1,0.5,"), String(lines[1]))
        // Paired with run 1 on 2 examples, Δ = −0.5; …; lost 1, gained 0, p = 1.
        XCTAssertTrue(lines[2].contains(",full,1,2,,2,0,0,0,"), String(lines[2]))
        XCTAssertTrue(lines[2].contains(",1,2,-0.5,"), String(lines[2]))
        // …, then the generation budget, empty for a run without a cap.
        XCTAssertTrue(lines[2].hasSuffix(",1,0,1,,,"), String(lines[2]))
    }
}

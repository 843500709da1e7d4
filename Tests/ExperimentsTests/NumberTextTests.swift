import XCTest
@testable import Experiments

final class NumberTextTests: XCTestCase {
    func testCanonical() {
        let cases: [(String, String?)] = [
            ("72", "72"), ("72.00", "72"), ("1,000", "1000"), ("1,234,567.50", "1234567.5"), ("$5", "5"),
            ("-3", "-3"), ("-$3", "-3"), ("0.5", "0.5"), (".5", "0.5"), ("5.", "5"), ("50%", "50"),
            ("007", "7"), ("-0", "0"), ("+4", "4"), (" 18 ", "18"), ("0.0", "0"),
            ("1,00", nil), ("12,3456", nil), ("1e5", nil), ("abc", nil), ("", nil), ("-", nil),
            (".", nil), ("5..", nil), ("1.2.3", nil), ("3rd", nil),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(NumberText.canonical(text), expected, "canonical(\(text.debugDescription))")
        }
    }

    func testFormatNeverUsesExponents() {
        XCTAssertEqual(NumberText.format(51.0), "51")
        XCTAssertEqual(NumberText.format(-6.0), "-6")
        XCTAssertEqual(NumberText.format(-0.0), "0")
        XCTAssertEqual(NumberText.format(0.8333333333333334), "0.8333333333333334")
        XCTAssertEqual(NumberText.format(-0.04545), "-0.04545")
        XCTAssertEqual(NumberText.format(1e-05), "0.00001")
        XCTAssertEqual(NumberText.format(1.5e-7), "0.00000015")
        XCTAssertEqual(NumberText.format(1e20), "100000000000000000000")
        XCTAssertEqual(NumberText.format(2.5e16), "25000000000000000")
    }

    func testScan() {
        func values(_ s: String) -> [String] { NumberText.scan(s).map(\.text) }
        XCTAssertEqual(values("Janet sells 16 - 3 - 4 = 9 duck eggs"), ["16", "3", "4", "9"])
        XCTAssertEqual(values("She pays $1,250.50 for 3 items."), ["$1,250.50", "3"])
        XCTAssertEqual(values("The change is -3, or = -4"), ["-3", "-4"])
        XCTAssertEqual(values("16-3=13"), ["16", "3", "13"])
        XCTAssertEqual(values("He came 3rd and 21st, then 4th; took 2 laps"), ["2"])
        XCTAssertEqual(values("A1 and x2 are labels; 5kg is a weight"), ["5"])
        XCTAssertEqual(values("1e5 is not read as 100000"), ["1", "100000"])
        XCTAssertEqual(values("list 1,2,3 and .5 and 5."), ["1", "2", "3", ".5", "5"])
        XCTAssertEqual(values("50% of it"), ["50"])
        XCTAssertEqual(values("no numbers here"), [])
        XCTAssertEqual(NumberText.lastNumber(in: "$1,000 then $2,500."), "2500")
    }
}

import Console
import Foundation
import TestSupport
import XCTest

/// The REPL's history file is cut to its limit when the line editor starts, not only the
/// in-memory list (a trial found 17,429 lines, 5.2 MB, in ~/.ftlab_history).
final class HistoryFileTests: XCTestCase {
    func testHistoryFileIsTruncatedToTheLimit() throws {
        let dir = try TemporaryDirectory(prefix: "ftlab-history")
        let path = dir.path("history")
        let lines = (0..<12_000).map { "runs where id = \($0)" }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        _ = LineEditor(historyPath: path) { _, _, _ in [] }
        let kept = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(kept.count, 5000)
        XCTAssertEqual(kept.last.map(String.init), lines.last, "the newest lines are the ones kept")
    }
}

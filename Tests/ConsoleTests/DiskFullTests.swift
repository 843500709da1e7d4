import Foundation
import Store
import TestSupport
import XCTest

/// A run whose database writes fail midway (SQLITE_FULL — the database capped with
/// FTLAB_SQLITE_MAX_PAGE_COUNT, which fails exactly as a full disk does): a one-line error naming
/// the cause, a non-zero exit, the stored predictions kept, and `resume` finishing the run once
/// there is room.
final class DiskFullTests: XCTestCase {
    func testFullDatabaseStopsTheRunLoudlyAndResumeFinishesIt() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: EvalKillResumeTests.model), "SmolLM2-135M is absent")
        let dir = try TemporaryDirectory(prefix: "ftlab-full")
        let db = dir.path("full.sqlite")
        XCTAssertEqual(try FtlabBinary.run(["--db", db, "-c", "runs"]).status, 0)
        let statement = "eval smollm2-135m-instruct on synthetic limit 64"
        let full = try FtlabBinary.run(["--db", db, "-c", statement], environment: ["FTLAB_SQLITE_MAX_PAGE_COUNT": "29"])
        XCTAssertNotEqual(full.status, 0, "a failed write is never a success")
        let errorLines = full.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
        XCTAssertEqual(errorLines.count, 1, full.stderr)
        XCTAssertTrue(errorLines.first?.contains("full") ?? false, full.stderr)
        XCTAssertTrue(errorLines.first?.contains("resume run 1") ?? false, full.stderr)
        let store = try ResultsStore(path: db)
        let kept = try store.existingExampleIndices(runID: 1).count
        XCTAssertGreaterThan(kept, 0, "predictions stored before the failure are kept")
        XCTAssertLessThan(kept, 64)
        XCTAssertNotEqual(try store.run(id: 1)?.status, .running)
        let resumed = try FtlabBinary.run(["--db", db, "-c", "resume run 1"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(try store.existingExampleIndices(runID: 1).count, 64)
        XCTAssertEqual(try store.run(id: 1)?.status, .done)
    }
}

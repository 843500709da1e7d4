import Foundation
import Store
import TestSupport
import XCTest

/// The same spec typed again: while a live process runs it, the second is refused with a
/// message naming the run; once that process is gone, the run is resumed, not started over.
final class SameSpecTests: XCTestCase {
    func testRunningSpecIsRefusedAndInterruptedOneIsResumed() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: EvalKillResumeTests.model), "SmolLM2-135M is absent")
        let dir = try TemporaryDirectory(prefix: "ftlab-samespec")
        let db = dir.path("s.sqlite")
        let statement = "eval smollm2-135m-instruct on synthetic limit 4 max-tokens 16"
        XCTAssertEqual(try FtlabBinary.run(["--db", db, "-c", statement]).status, 0)
        // Make run 1 look unfinished and owned by a live process (this test's own pid).
        let store = try ResultsStore(path: db)
        var run = try XCTUnwrap(try store.run(id: 1))
        run.status = .running
        run.pid = getpid()
        run.host = ProcessInfo.processInfo.hostName
        try store.updateRun(run)
        let refused = try FtlabBinary.run(["--db", db, "-c", statement])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("run 1 with this spec is running"), refused.stderr)
        XCTAssertEqual(try store.runs().count, 1, "no second run was started")

        run.status = .interrupted
        try store.updateRun(run)
        let resumed = try FtlabBinary.run(["--db", db, "-c", statement])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("resuming interrupted run 1"), resumed.stderr)
        XCTAssertEqual(try store.runs().count, 1)
        XCTAssertEqual(try store.run(id: 1)?.status, .done)
    }
}

import Foundation
import Store
import TestSupport
import XCTest

/// Two processes given the same `eval` at the same moment: one runs it, the other is refused
/// with a message naming the running run (or, if the first already finished, reuses it) —
/// never two runs of one spec.
final class SimultaneousStartTests: XCTestCase {
    func testTwoProcessesStartingOneSpecMakeOneRun() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: EvalKillResumeTests.model), "SmolLM2-135M is absent")
        let dir = try TemporaryDirectory(prefix: "ftlab-simultaneous")
        let db = dir.path("s.sqlite")
        XCTAssertEqual(try FtlabBinary.run(["--db", db, "-c", "runs"]).status, 0)
        let statement = "eval smollm2-135m-instruct on synthetic limit 24"
        var results: [FtlabBinary.Result?] = [nil, nil]
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            results[i] = try? FtlabBinary.run(["--db", db, "-c", statement])
        }
        let both = results.compactMap { $0 }
        XCTAssertEqual(both.count, 2)
        XCTAssertEqual(both.filter { $0.status == 0 }.count >= 1, true, both.map(\.stderr).joined(separator: "\n"))
        for r in both where r.status != 0 {
            XCTAssertTrue(r.stderr.contains("with this spec is running"), r.stderr)
        }
        for r in both where r.status == 0 && r.stdout.contains("reusing") {
            XCTAssertTrue(r.stdout.contains("run 1"), r.stdout)
        }
        let store = try ResultsStore(path: db)
        XCTAssertEqual(try store.select(sql: "SELECT COUNT(*) FROM runs").rows.first?.first, .integer(1), "one run of the spec")
        XCTAssertEqual(try store.existingExampleIndices(runID: 1).count, 24)
    }
}

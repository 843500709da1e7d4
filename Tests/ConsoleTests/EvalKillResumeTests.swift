import Foundation
import Store
import TestSupport
import XCTest

/// `ftlab eval` killed with SIGKILL mid-run, then `resume run 1`: every example exactly once and
/// the same outputs as a run that was never interrupted. Needs SmolLM2-135M (skipped without it);
/// meant for the release build (`swift test -c release -Xswiftc -enable-testing`).
final class EvalKillResumeTests: XCTestCase {
    static let model = ((ProcessInfo.processInfo.environment["FTLAB_HOME"] ?? (NSHomeDirectory() + "/.cache/ftlab"))
        as NSString).appendingPathComponent("models/smollm2-135m-instruct.gguf")
    static let n = 32
    var evalWords: [String] { ["eval", "smollm2-135m-instruct", "on", "synthetic", "limit", "\(Self.n)", "max-tokens", "48"] }

    func testKillNineThenResumeMatchesAnUninterruptedRun() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Self.model), "SmolLM2-135M not at \(Self.model)")
        let directory = try TemporaryDirectory(prefix: "ftlab-kill")
        let killed = directory.path("killed.sqlite"), clean = directory.path("clean.sqlite")
        _ = try ResultsStore(path: killed)

        let url = try XCTUnwrap(FtlabBinary.url, "ftlab binary not built")
        let process = Process()
        process.executableURL = url
        process.arguments = evalWords + ["--db", killed]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Kill as soon as at least 8 predictions are committed (they are committed as examples
        // finish, at least once a second), with rows still decoding.
        let store = try ResultsStore(path: killed)
        var stored = 0
        let deadline = Date().addingTimeInterval(300)
        while Date() < deadline, process.isRunning {
            stored = (try? store.existingExampleIndices(runID: 1).count) ?? 0
            if stored >= 8 { break }
            usleep(50_000)
        }
        XCTAssertTrue(process.isRunning, "the run ended before it could be killed")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let atKill = try store.existingExampleIndices(runID: 1).count
        XCTAssertGreaterThanOrEqual(atKill, 8)
        XCTAssertLessThan(atKill, Self.n)
        XCTAssertEqual(try store.run(id: 1)?.status, .running, "a killed run cannot mark itself")

        let resumed = try FtlabBinary.run(["--db", killed, "-c", "resume run 1"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("run 1: done, \(Self.n) examples"), resumed.stdout)
        let again = try FtlabBinary.run(["--db", killed, "-c", "resume run 1"])
        XCTAssertNotEqual(again.status, 0)
        XCTAssertTrue(again.stderr.contains("already done"), again.stderr)

        let fresh = try FtlabBinary.run(evalWords + ["--db", clean])
        XCTAssertEqual(fresh.status, 0, fresh.stderr)

        let a = try ResultsStore(path: killed).predictions(runID: 1)
        let b = try ResultsStore(path: clean).predictions(runID: 1)
        XCTAssertEqual(a.map(\.exampleIndex), Array(0..<Self.n))
        XCTAssertEqual(b.map(\.exampleIndex), Array(0..<Self.n))
        XCTAssertEqual(a.map(\.output), b.map(\.output))
        XCTAssertEqual(a.map(\.correct), b.map(\.correct))
        let run = try XCTUnwrap(try ResultsStore(path: killed).run(id: 1))
        XCTAssertEqual(run.status, .done)
        XCTAssertEqual(run.n, Self.n)
        XCTAssertEqual(run.correct, a.filter(\.correct).count)
    }
}

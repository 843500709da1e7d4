import Foundation
import Store
import TestSupport
import XCTest

/// The Slurm path end to end on a real one-node cluster (`Scripts/slurm-local`, which installs
/// slurm-wlm and munge and needs root): `sweep … emit slurm`, `sbatch` of the 3-task array,
/// completion seen by squeue, the shards merged, every prediction exactly once, a second merge
/// changing nothing. Opt-in (`make slurm-test`, or FTLAB_SLURM_TEST=1): it starts daemons.
final class SlurmSweepTests: XCTestCase {
    func testSweepArrayOnLocalSlurm() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["FTLAB_SLURM_TEST"] == "1",
                          "set FTLAB_SLURM_TEST=1 (make slurm-test) to run the Slurm test")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: EvalKillResumeTests.model), "SmolLM2-135M is absent")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = root.appendingPathComponent("Scripts/slurm-local").path
        let started = try Self.shell("\(script) start")
        XCTAssertEqual(started.status, 0, started.output)
        defer { _ = try? Self.shell("\(script) stop") }
        let env = ". ${FTLAB_SLURM_DIR:-/tmp/ftlab-slurm}/env"

        let dir = try TemporaryDirectory(prefix: "ftlab-slurm-sweep")
        let db = dir.path("main.sqlite"), out = dir.path("array")
        let plan = try FtlabBinary.run(["--db", db, "-c",
            "sweep smollm2-135m-instruct on synthetic with zero-shot, lora steps 2 batch 2 seq 64 seeds 0..1 "
            + "then eval on synthetic limit 6 emit slurm \(out)"])
        XCTAssertEqual(plan.status, 0, plan.stderr)
        XCTAssertTrue(plan.stdout.contains("3 queued"), plan.stdout)
        let sbatch = try Self.shell("\(env) && cd \(dir.path("")) && sbatch --parsable \(out)/sweep-1.sbatch")
        XCTAssertEqual(sbatch.status, 0, sbatch.output)
        let job = sbatch.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").last.map(String.init) ?? ""
        var states = ""
        let deadline = Date().addingTimeInterval(600)
        repeat {
            sleep(2)
            states = try Self.shell("\(env) && squeue -h -t all -j \(job) -o '%i %T'").output
        } while Date() < deadline && (states.contains("PENDING") || states.contains("RUNNING") || states.isEmpty)
        print("[slurm] job \(job):\n\(states)")
        XCTAssertEqual(states.split(separator: "\n").filter { $0.hasSuffix("COMPLETED") }.count, 3, states)

        let shards = (0..<3).map { "\(out)/shards/task-\($0).sqlite" }
        let merged = try FtlabBinary.run(["merge"] + shards + ["--into", db])
        XCTAssertEqual(merged.status, 0, merged.stderr)
        let store = try ResultsStore(path: db)
        let runs = try store.runs()
        XCTAssertEqual(runs.count, 5)
        XCTAssertTrue(runs.allSatisfy { $0.status == .done })
        for run in runs where run.kind == .eval {
            XCTAssertEqual(try store.predictions(runID: run.id!).map(\.exampleIndex), Array(0..<6), "run \(run.id!)")
        }
        let again = try FtlabBinary.run(["merge"] + shards + ["--into", db])
        XCTAssertTrue(again.stdout.components(separatedBy: "\n").filter { $0.contains("0 runs added") }.count == 3, again.stdout)
        XCTAssertEqual(try store.int("SELECT COUNT(*) FROM predictions"), 18)
        let table = try FtlabBinary.run(["--db", db, "-c", "accuracy by model, method"])
        print("[slurm] merged: \(merged.stdout)\n\(table.stdout)")
    }

    static func shell(_ command: String) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-c", command]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

private extension ResultsStore {
    func int(_ sql: String) throws -> Int64? {
        guard case let .integer(v)? = try select(sql: sql).rows.first?.first else { return nil }
        return v
    }
}

import Console
import Foundation
import Store
import TestSupport
import XCTest

/// Sweeps run by `ftlab work` worker processes on one database (SmolLM2-135M, synthetic task,
/// tiny runs; release build): every run exactly once with two workers, and a worker killed with
/// SIGKILL mid-run has its run resumed by the next worker, with the outputs of a run never
/// interrupted.
final class SweepWorkTests: XCTestCase {
    static let model = EvalKillResumeTests.model

    func testTwoWorkersRunEverySweepRunOnce() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Self.model), "SmolLM2-135M not at \(Self.model)")
        let dir = try TemporaryDirectory(prefix: "ftlab-sweep")
        let db = dir.path("sweep.sqlite")
        let statement = "sweep smollm2-135m-instruct on synthetic with zero-shot, lora steps 2 batch 2 seq 64 seeds 0..1 "
            + "then eval on synthetic limit 8"
        let planned = try FtlabBinary.run(["--db", db, "-c", statement])
        XCTAssertEqual(planned.status, 0, planned.stderr)
        XCTAssertTrue(planned.stdout.contains("3 runs — 3 queued"), planned.stdout)
        let work = try FtlabBinary.run(["work", "--db", db, "-j", "2"])
        XCTAssertEqual(work.status, 0, work.stderr)
        XCTAssertFalse(work.stderr.contains("locked"), work.stderr)
        XCTAssertEqual(work.stderr.components(separatedBy: "queue: ").count - 1, 1,
                       "the queue is announced once, by the parent, not by each worker: \(work.stderr)")
        XCTAssertTrue(work.stderr.contains("queue: 3 runs left (2 trainings)"), work.stderr)
        let store = try ResultsStore(path: db)
        let runs = try store.runs()
        XCTAssertEqual(runs.count, 5, "1 zero-shot + 2 trainings + their 2 evaluations")
        XCTAssertTrue(runs.allSatisfy { $0.status == .done }, runs.map { "\($0.id!) \($0.status)" }.joined(separator: ", "))
        for run in runs where run.kind == .eval {
            XCTAssertEqual(try store.predictions(runID: run.id!).map(\.exampleIndex), Array(0..<8))
        }
        XCTAssertEqual(Set(runs.filter { $0.kind == .eval }.compactMap(\.parentRunID)).count, 2, "one evaluation per training run")
        XCTAssertEqual(Set(runs.compactMap(\.sweepID)), [1])
        // The same sweep again finds everything done.
        let again = try FtlabBinary.run(["--db", db, "-c", statement])
        XCTAssertTrue(again.stdout.contains("nothing to queue, 3 already done"), again.stdout)
        XCTAssertEqual(try store.select(sql: "SELECT COUNT(*) FROM sweeps").rows, [[.integer(1)]], "no empty sweep recorded")
    }

    /// A second `then eval` is an extra evaluation of the same tuned model: queued as a child of
    /// the training, run by `work` after it; asked of a finished training later, only the new
    /// evaluation is queued, and the training is reused.
    func testExtraEvaluationsOfTunedModelsAreQueuedAsChildren() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Self.model), "SmolLM2-135M not at \(Self.model)")
        let dir = try TemporaryDirectory(prefix: "ftlab-sweep-evals")
        let db = dir.path("evals.sqlite")
        let train = "sweep smollm2-135m-instruct on synthetic with lora steps 2 batch 2 seq 64 then eval on synthetic limit 4"
        let first = try FtlabBinary.run(["--db", db, "-c", train + " then eval on synthetic split train limit 3"])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stdout.contains("1 runs — 1 queued, 1 evaluations of tuned models queued"), first.stdout)
        let work = try FtlabBinary.run(["work", "--db", db])
        XCTAssertEqual(work.status, 0, work.stderr)
        let store = try ResultsStore(path: db)
        var runs = try store.runs()
        XCTAssertEqual(runs.count, 3, runs.map { "\($0.id!) \($0.kind) \($0.status)" }.joined(separator: ", "))
        XCTAssertTrue(runs.allSatisfy { $0.status == .done }, runs.map { "\($0.id!) \($0.status)" }.joined(separator: ", "))
        let children = runs.filter { $0.parentRunID == 1 }
        XCTAssertEqual(children.count, 2)
        XCTAssertEqual(Set(try children.map { try store.predictions(runID: $0.id!).count }), [4, 3])
        XCTAssertTrue(children.allSatisfy { $0.method == .lora })
        // A third evaluation of the same training: only it is queued, the training reused.
        let again = try FtlabBinary.run(["--db", db, "-c", train + " then eval on synthetic split train limit 3 then eval on synthetic limit 2 max-tokens 8"])
        XCTAssertTrue(again.stdout.contains("0 queued, 1 evaluations of tuned models queued"), again.stdout)
        XCTAssertTrue(again.stdout.contains("eval of run 1 (lora) on synthetic"), again.stdout)
        XCTAssertEqual(try FtlabBinary.run(["work", "--db", db]).status, 0)
        runs = try store.runs()
        XCTAssertEqual(runs.count, 4)
        XCTAssertEqual(runs.filter { $0.kind == .train }.count, 1, "the training is not repeated")
        XCTAssertTrue(runs.allSatisfy { $0.status == .done })
    }

    /// A run the memory plan refuses is the run's result on this machine: recorded as `failed` with
    /// the refusal (not left `running` to be claimed and refused again), its waiting evaluation is
    /// no work left, and the report shows the cell as failed with the refusal in its notes.
    func testARefusedRunIsRecordedAsFailedAndReported() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Self.model), "SmolLM2-135M not at \(Self.model)")
        let dir = try TemporaryDirectory(prefix: "ftlab-sweep-refused")
        let db = dir.path("refused.sqlite")
        XCTAssertEqual(try FtlabBinary.run(["--db", db, "-c", "eval smollm2-135m-instruct on synthetic limit 4 max-tokens 16"]).status, 0)
        let sweep = "sweep smollm2-135m-instruct on synthetic with full steps 2 then eval on synthetic limit 4 then eval on synthetic split train limit 2 name big"
        // Planned where it will not fit, the sweep says so at once (and still queues it).
        let planned = try FtlabBinary.run(["--db", db, "--memory", "500M", "-c", sweep])
        XCTAssertEqual(planned.status, 0, planned.stderr)
        XCTAssertTrue(planned.stdout.contains("note: run 2 will be refused on this machine: full fine-tuning of smollm2-135m-instruct"), planned.stdout)
        XCTAssertFalse(planned.stdout.contains("note: run 3"), "the evaluation of the base-sized tuned model fits in 500M: \(planned.stdout)")
        XCTAssertTrue(planned.stdout.contains("1 queued"), planned.stdout)
        let work = try FtlabBinary.run(["work", "--db", db, "--memory", "500M"])
        XCTAssertTrue(work.stderr.contains("0.5 GB available — not started"), work.stderr)
        XCTAssertTrue(work.stderr.contains("1 failed"), work.stderr)

        let store = try ResultsStore(path: db)
        let training = try XCTUnwrap(try store.runs().first { $0.kind == .train })
        XCTAssertEqual(training.status, .failed, "recorded, not left running for the next worker")
        XCTAssertTrue(training.error?.contains("full fine-tuning of smollm2-135m-instruct") ?? false, training.error ?? "no error")
        let again = try FtlabBinary.run(["work", "--db", db, "--memory", "500M"])
        XCTAssertTrue(again.stderr.contains("queue: nothing left to run"), "not claimed again, and its evaluation waits for nothing: \(again.stderr)")
        XCTAssertFalse(again.stderr.contains("not started"), again.stderr)

        let report = try FtlabBinary.run(["--db", db, "-c", "report negative-transfer to \(dir.path("report"))"])
        XCTAssertEqual(report.status, 0, report.stderr)
        let markdown = try String(contentsOfFile: dir.path("report/report.md"), encoding: .utf8)
        XCTAssertTrue(markdown.contains("| *failed* |"), markdown)
        XCTAssertTrue(markdown.contains("Failed or refused, 1 run — full fine-tuning of smollm2-135m-instruct"), markdown)
        XCTAssertTrue(markdown.contains("0.5 GB available — not started: \(training.id!) (smollm2-135m-instruct full lr 2e-05 seed 0)."), markdown)
    }

    /// Ctrl-C stops a worker after the run it interrupted (kept, resumable); it does not go on
    /// to resume that run again or claim the next one.
    func testCtrlCStopsTheWorker() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Self.model), "SmolLM2-135M not at \(Self.model)")
        let dir = try TemporaryDirectory(prefix: "ftlab-sweep-stop")
        let db = dir.path("stop.sqlite")
        let planned = try FtlabBinary.run(["--db", db, "-c", "sweep smollm2-135m-instruct on synthetic with zero-shot, 3-shot limit 48 max-tokens 48"])
        XCTAssertEqual(planned.status, 0, planned.stderr)
        let store = try ResultsStore(path: db)
        let worker = try startWorker(["work", "--db", db])
        _ = waitForPredictions(store, run: 1, atLeast: 4, while: worker)
        XCTAssertTrue(worker.isRunning, "the run ended before it could be interrupted")
        worker.interrupt()
        XCTAssertTrue(waitForExit(worker), "the worker stops after one Ctrl-C")
        XCTAssertEqual(try store.run(id: 1)?.status, .interrupted)
        XCTAssertEqual(try store.run(id: 2)?.status, .queued, "the next run is not claimed")
    }

    /// SIGTERM (what Slurm sends before it kills a task) is a clean stop: the run is left
    /// interrupted, not running, and no next run is claimed.
    func testSIGTERMStopsAWorkerCleanly() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Self.model), "SmolLM2-135M not at \(Self.model)")
        let dir = try TemporaryDirectory(prefix: "ftlab-sweep-term")
        let db = dir.path("term.sqlite")
        let planned = try FtlabBinary.run(["--db", db, "-c", "sweep smollm2-135m-instruct on synthetic with zero-shot, 3-shot limit 48 max-tokens 48"])
        XCTAssertEqual(planned.status, 0, planned.stderr)
        let store = try ResultsStore(path: db)
        let worker = try startWorker(["work", "--db", db])
        XCTAssertTrue(waitForPredictions(store, run: 1, atLeast: 4, while: worker), "the run ended before it could be stopped")
        worker.terminate()   // SIGTERM
        XCTAssertTrue(waitForExit(worker), "the worker stops after SIGTERM")
        XCTAssertEqual(try store.run(id: 1)?.status, .interrupted)
        XCTAssertEqual(try store.run(id: 2)?.status, .queued, "the next run is not claimed")
    }

    /// A SIGINT sent to `work -j 2` alone (by a script, not a terminal) reaches its workers: both
    /// stop cleanly, their runs interrupted and resumable, and the parent exits.
    func testInterruptingTheParentOfSeveralWorkersStopsThemAll() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Self.model), "SmolLM2-135M not at \(Self.model)")
        let dir = try TemporaryDirectory(prefix: "ftlab-sweep-j2-stop")
        let db = dir.path("j2.sqlite")
        let planned = try FtlabBinary.run(["--db", db, "-c", "sweep smollm2-135m-instruct on synthetic with zero-shot, 3-shot, 4-shot limit 48 max-tokens 48"])
        XCTAssertEqual(planned.status, 0, planned.stderr)
        let store = try ResultsStore(path: db)
        let parent = try startWorker(["work", "--db", db, "-j", "2"])
        XCTAssertTrue(waitForPredictions(store, run: 1, atLeast: 2, while: parent) && waitForPredictions(store, run: 2, atLeast: 2, while: parent),
                      "both workers should be running a run")
        kill(parent.processIdentifier, SIGINT)
        XCTAssertTrue(waitForExit(parent), "the parent exits once its workers have stopped")
        let statuses = try store.runs().map(\.status)
        XCTAssertEqual(statuses, [.interrupted, .interrupted, .queued], "no run left running, none claimed after the stop")
        XCTAssertEqual(try FtlabBinary.run(["work", "--db", db]).status, 0, "the interrupted runs are resumed")
        XCTAssertEqual(try store.runs().map(\.status), [.done, .done, .done])
    }

    /// `work --for`: at its time limit the worker stops the running run as Ctrl-C would (kept,
    /// resumable) and claims nothing more; a later worker finishes the queue with every answer once.
    func testATimeLimitedWorkerStopsAtItsLimitAndLeavesTheRestResumable() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Self.model), "SmolLM2-135M not at \(Self.model)")
        let dir = try TemporaryDirectory(prefix: "ftlab-sweep-for")
        let db = dir.path("for.sqlite")
        let planned = try FtlabBinary.run(["--db", db, "-c", "sweep smollm2-135m-instruct on synthetic with zero-shot, 3-shot limit 48 max-tokens 48"])
        XCTAssertEqual(planned.status, 0, planned.stderr)
        let started = Date()
        let work = try FtlabBinary.run(["work", "--db", db, "--for", "2s"])
        XCTAssertEqual(work.status, 0, work.stderr)
        XCTAssertTrue(work.stderr.contains("time limit reached"), work.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 60, "stopped near its limit, not at the end of the queue")
        let store = try ResultsStore(path: db)
        let statuses = try store.runs().map(\.status)
        XCTAssertFalse(statuses.contains(.running), "\(statuses)")
        XCTAssertNotEqual(statuses, [.done, .done], "two runs of 48 answers do not fit in 2 s")
        XCTAssertEqual(try FtlabBinary.run(["work", "--db", db]).status, 0)
        XCTAssertEqual(try store.runs().map(\.status), [.done, .done])
        for id in [Int64(1), 2] { XCTAssertEqual(try store.predictions(runID: id).map(\.exampleIndex), Array(0..<48)) }
    }

    /// `work --for` starts a training only if this database's rates say it finishes in the time
    /// left (its checkpoints are local); evaluations are started anyway. Here a finished training
    /// of the same model and method took 10^6 s for 2 steps, so the queued one is left queued.
    func testATimeLimitedWorkerStartsOnlyTheTrainingsThatFit() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Self.model), "SmolLM2-135M not at \(Self.model)")
        let dir = try TemporaryDirectory(prefix: "ftlab-sweep-fit")
        let db = dir.path("fit.sqlite")
        let planned = try FtlabBinary.run(["--db", db, "-c", "sweep smollm2-135m-instruct on synthetic with zero-shot limit 4 max-tokens 8; "
                                                          + "sweep smollm2-135m-instruct on synthetic with lora steps 2 batch 2 seq 64"])
        XCTAssertEqual(planned.status, 0, planned.stderr)
        let store = try ResultsStore(path: db)
        let training = try XCTUnwrap(try store.runs().first { $0.kind == .train })
        var slow = training
        slow.id = nil; slow.uuid = UUID().uuidString.lowercased(); slow.sweepID = nil; slow.specHash = "a slow machine's run"
        slow.status = .done; slow.wallSeconds = 1e6
        _ = try store.insertRun(slow)

        let work = try FtlabBinary.run(["work", "--db", db, "--for", "10m"])
        XCTAssertEqual(work.status, 0, work.stderr)
        XCTAssertTrue(work.stderr.contains("not starting run \(training.id!) (training, ≈ 277.8 h by this database's rates): "
                                           + "it would not finish in the ≈ 10 min left"), work.stderr)
        XCTAssertEqual(try store.run(id: training.id!)?.status, .queued)
        XCTAssertEqual(try store.runs().filter { $0.kind == .eval }.map(\.status), [.done], "the evaluation ran")
        // Without a limit the training runs.
        XCTAssertEqual(try FtlabBinary.run(["work", "--db", db]).status, 0)
        XCTAssertEqual(try store.run(id: training.id!)?.status, .done)
    }

    func testDurationsOfWorkFor() {
        let cases: [(String, Double?)] = [("90m", 5400), ("2h", 7200), ("2h30m", 9000), ("1.5h", 5400), ("45s", 45), ("5400", 5400),
                                          ("1h1h", nil), ("30m2h", nil), ("abc", nil), ("0", nil), ("", nil), ("2x", nil), ("h", nil), ("2h30", nil)]
        for (text, seconds) in cases { XCTAssertEqual(WorkDeadline.parseDuration(text), seconds, text) }
        let bad = try? FtlabBinary.run(["work", "--db", ":memory:", "--for", "soon"])
        XCTAssertNotEqual(bad?.status, 0)
        XCTAssertTrue(bad?.stderr.contains("--for: expected a duration such as 90m, 2h or 2h30m, got 'soon'") ?? false, bad?.stderr ?? "")
    }

    private func startWorker(_ arguments: [String]) throws -> Process {
        let worker = Process()
        worker.executableURL = try XCTUnwrap(FtlabBinary.url)
        worker.arguments = arguments
        worker.standardOutput = FileHandle.nullDevice
        worker.standardError = FileHandle.nullDevice
        try worker.run()
        return worker
    }

    private func waitForPredictions(_ store: ResultsStore, run: Int64, atLeast n: Int, while process: Process) -> Bool {
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, process.isRunning, ((try? store.existingExampleIndices(runID: run).count) ?? 0) < n { usleep(50_000) }
        return process.isRunning && ((try? store.existingExampleIndices(runID: run).count) ?? 0) >= n
    }

    private func waitForExit(_ process: Process) -> Bool {
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning { process.terminate(); return false }
        return true
    }

    func testKilledWorkersRunIsResumedByAnotherWorker() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Self.model), "SmolLM2-135M not at \(Self.model)")
        let dir = try TemporaryDirectory(prefix: "ftlab-sweep-kill")
        let db = dir.path("sweep.sqlite"), clean = dir.path("clean.sqlite")
        let n = 32
        let planned = try FtlabBinary.run(["--db", db, "-c", "sweep smollm2-135m-instruct on synthetic with zero-shot limit \(n) max-tokens 48"])
        XCTAssertEqual(planned.status, 0, planned.stderr)

        let worker = Process()
        worker.executableURL = try XCTUnwrap(FtlabBinary.url)
        worker.arguments = ["work", "--db", db]
        worker.standardOutput = FileHandle.nullDevice
        worker.standardError = FileHandle.nullDevice
        try worker.run()
        let store = try ResultsStore(path: db)
        let deadline = Date().addingTimeInterval(300)
        while Date() < deadline, worker.isRunning, ((try? store.existingExampleIndices(runID: 1).count) ?? 0) < 8 { usleep(50_000) }
        XCTAssertTrue(worker.isRunning, "the run ended before it could be killed")
        kill(worker.processIdentifier, SIGKILL)
        worker.waitUntilExit()
        XCTAssertEqual(try store.run(id: 1)?.status, .running, "a killed worker cannot mark its run")
        XCTAssertLessThan(try store.existingExampleIndices(runID: 1).count, n)

        let second = try FtlabBinary.run(["work", "--db", db])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stderr.contains("run 1"), second.stderr)
        let fresh = try FtlabBinary.run(["--db", clean, "-c", "eval smollm2-135m-instruct on synthetic limit \(n) max-tokens 48"])
        XCTAssertEqual(fresh.status, 0, fresh.stderr)
        let a = try store.predictions(runID: 1), b = try ResultsStore(path: clean).predictions(runID: 1)
        XCTAssertEqual(try store.run(id: 1)?.status, .done)
        XCTAssertEqual(a.map(\.exampleIndex), Array(0..<n))
        XCTAssertEqual(a.map(\.output), b.map(\.output))
    }
}

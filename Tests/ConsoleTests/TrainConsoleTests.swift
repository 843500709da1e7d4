import Console
import Experiments
import Foundation
import Store
import TestSupport
import XCTest

/// `train … then eval …` end to end through the binary on SmolLM2-135M (skipped without it; a
/// release-build test), spec-keyed reuse, and the dataset listing.
final class TrainConsoleTests: XCTestCase {
    static let model = ((ProcessInfo.processInfo.environment["FTLAB_HOME"] ?? (NSHomeDirectory() + "/.cache/ftlab"))
        as NSString).appendingPathComponent("models/smollm2-135m-instruct.gguf")

    func testTrainThenEvalStoresStepsCheckpointAndChildRun() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Self.model), "SmolLM2-135M not at \(Self.model)")
        let directory = try TemporaryDirectory(prefix: "ftlab-train")
        let db = directory.path("runs.sqlite")
        let statement = "train smollm2-135m-instruct on synthetic with lora r 4 steps 3 batch 2 limit 16 "
            + "then eval on synthetic limit 4 max-tokens 16"
        let result = try FtlabBinary.run(["--db", db, "-c", statement])
        XCTAssertEqual(result.status, 0, result.stderr)
        let store = try ResultsStore(path: db)
        let runs = try store.runs()
        XCTAssertEqual(runs.map(\.kind), [.train, .eval])
        let train = runs[0], eval = runs[1]
        XCTAssertEqual(train.status, .done)
        XCTAssertEqual(train.method, .lora)
        XCTAssertEqual(train.rank, 4)
        XCTAssertEqual(train.steps, 3)
        XCTAssertEqual(eval.parentRunID, train.id)
        XCTAssertEqual(eval.method, .lora)
        XCTAssertEqual(eval.n, 4)
        let steps = try store.trainSteps(runID: train.id!)
        XCTAssertEqual(steps.map(\.step), [1, 2, 3])
        XCTAssertTrue(steps.allSatisfy { $0.loss.isFinite && $0.loss > 0 && ($0.gradNorm ?? -1) > 0 && ($0.tokens ?? 0) > 0 })
        let checkpoint = try XCTUnwrap(try store.checkpoints(runID: train.id!).last)
        XCTAssertEqual(checkpoint.step, 3)
        XCTAssertEqual(checkpoint.kind, .adapter)
        let config = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: checkpoint.path + "/adapter_config.json"))) as? [String: Any]
        XCTAssertEqual(config?["r"] as? Int, 4)
        XCTAssertEqual(config?["peft_type"] as? String, "LORA")
        XCTAssertNotEqual(eval.specHash, try ExperimentSpecHash.of(eval), "a tuned model's evaluation is keyed by its training run too")
        try? FileManager.default.removeItem(atPath: (checkpoint.path as NSString).deletingLastPathComponent)
    }

    /// With reuse on (as `ftlab demo` runs), the same eval spec returns the finished run.
    func testReuseReturnsTheFinishedRunWithTheSameSpec() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Self.model), "SmolLM2-135M not at \(Self.model)")
        let directory = try TemporaryDirectory(prefix: "ftlab-reuse")
        let out = StringSink(), err = StringSink()
        let session = try Session(databasePath: directory.path("r.sqlite"), output: out, errors: err)
        let statement = "eval smollm2-135m-instruct on synthetic limit 2 max-tokens 8"
        XCTAssertTrue(session.execute(statement), err.text)
        session.reuseFinishedRuns = true
        XCTAssertTrue(session.execute(statement), err.text)
        XCTAssertTrue(out.text.contains("reusing run 1: done"), out.text)
        XCTAssertTrue(session.execute("eval smollm2-135m-instruct on synthetic limit 3 max-tokens 8"), err.text)
        XCTAssertEqual(try session.store.runs().count, 2, "a different spec is a new run")
    }

    func testDatasetsListsEveryTaskWithSizeAndHash() throws {
        let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/data").standardized.path
        try XCTSkipUnless(FileManager.default.fileExists(atPath: data + "/gsm8k/test.jsonl"), "datasets not at \(data)")
        let directory = try TemporaryDirectory(prefix: "ftlab-datasets")
        let db = directory.path("d.sqlite")
        let result = try FtlabBinary.run(["datasets", "--db", db, "--data", data])
        XCTAssertEqual(result.status, 0, result.stderr)
        let line = try XCTUnwrap(result.stdout.split(separator: "\n").first { $0.hasPrefix("gsm8k") && $0.contains(" test ") })
        XCTAssertTrue(line.contains("1319"), String(line))
        XCTAssertTrue(result.stdout.contains("synthetic"), result.stdout)
        // They are registered, so the `datasets` query shows them too.
        let query = try FtlabBinary.run(["--db", db, "-c", ".mode csv; datasets where task = gsm8k select task, split, size"])
        XCTAssertTrue(query.stdout.contains("gsm8k,test,1319"), query.stdout)
        let missing = try FtlabBinary.run(["datasets", "--db", db, "--data", directory.path("nowhere")])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("does not exist"), missing.stderr)
    }
}

/// The hash a base-model evaluation with this run's spec would have.
enum ExperimentSpecHash {
    static func of(_ run: RunRecord) throws -> String { Experiments.SHA256.hex(run.specJSON) }
}

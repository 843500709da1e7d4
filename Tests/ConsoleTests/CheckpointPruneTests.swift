@testable import Console
import Foundation
import Store
import TestSupport
import XCTest

/// `ftlab checkpoints --prune`: a finished training run keeps its last checkpoint's weights and
/// loses its earlier steps and its optimizer moments; a run that may continue keeps everything.
final class CheckpointPruneTests: XCTestCase {
    private func file(_ path: String, bytes: Int) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(repeating: 7, count: bytes).write(to: URL(fileURLWithPath: path))
    }

    /// A training run with a checkpoint folder holding `steps`, each with 100-byte weights,
    /// a 200-byte optimizer file and a 10-byte trainer state.
    private func trainingRun(_ store: ResultsStore, _ root: String, hash: String, status: RunStatus, steps: [Int]) throws -> (id: Int64, folder: String) {
        let modelID = try XCTUnwrap(try store.models().first?.id), datasetID = try XCTUnwrap(try store.datasets().first?.id)
        let id = try store.insertRun(RunRecord(specHash: hash, modelID: modelID, datasetID: datasetID,
                                               method: .full, kind: .train, seed: 0, specJSON: "{}", engineVersion: "x", host: "h"))
        let folder = root + "/" + hash
        for step in steps {
            let dir = folder + "/step-\(step)"
            try file(dir + "/model.safetensors", bytes: 100)
            try file(dir + "/optimizer.safetensors", bytes: 200)
            try file(dir + "/trainer_state.json", bytes: 10)
            _ = try store.insertCheckpoint(CheckpointRecord(runID: id, step: step, path: dir, kind: .full))
        }
        if status != .running { try store.finishRun(id: id, status: status) }
        return (id, folder)
    }

    func testDoneRunsLoseEarlierStepsAndOptimizerOthersKeepAll() throws {
        let directory = try TemporaryDirectory(prefix: "ftlab-prune")
        let store = try ResultsStore(path: directory.path("db.sqlite"))
        try SeedData.populate(store)
        let root = directory.path("checkpoints")
        let done = try trainingRun(store, root, hash: "done", status: .done, steps: [10, 20, 30])
        let paused = try trainingRun(store, root, hash: "paused", status: .interrupted, steps: [10, 20])

        let plan = try CheckpointPrune(store: store)
        XCTAssertEqual(plan.items.count, 2)
        let d = try XCTUnwrap(plan.items.first { $0.runID == done.id })
        XCTAssertEqual(d.bytesOnDisk, 3 * 310)
        XCTAssertEqual(Set(d.deletions.map(\.path)), [done.folder + "/step-10", done.folder + "/step-20", done.folder + "/step-30/optimizer.safetensors"])
        XCTAssertEqual(d.bytesFreed, 2 * 310 + 200)
        let p = try XCTUnwrap(plan.items.first { $0.runID == paused.id })
        XCTAssertEqual(p.deletions.map(\.path), [], "an interrupted run may resume: it needs its optimizer")
        XCTAssertEqual(plan.bytesFreed, 820)

        XCTAssertEqual(try plan.execute(), 820)
        let fm = FileManager.default
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: done.folder), ["step-30"])
        XCTAssertEqual(Set(try fm.contentsOfDirectory(atPath: done.folder + "/step-30")), ["model.safetensors", "trainer_state.json"])
        XCTAssertEqual(Set(try fm.contentsOfDirectory(atPath: paused.folder)), ["step-10", "step-20"])
        XCTAssertTrue(fm.fileExists(atPath: paused.folder + "/step-20/optimizer.safetensors"))

        // Nothing is left to prune; what stays is the last weights and the paused run.
        let again = try CheckpointPrune(store: store)
        XCTAssertEqual(again.bytesFreed, 0)
        XCTAssertEqual(again.bytesOnDisk, 110 + 2 * 310)
    }

    func testTheCommandListsAndPrunes() throws {
        let directory = try TemporaryDirectory(prefix: "ftlab-prune")
        let db = directory.path("db.sqlite")
        let store = try ResultsStore(path: db)
        try SeedData.populate(store)
        let done = try trainingRun(store, directory.path("checkpoints"), hash: "done", status: .done, steps: [5, 9])
        let list = try FtlabBinary.run(["checkpoints", "--db", db])
        XCTAssertEqual(list.status, 0, list.stderr)
        XCTAssertTrue(list.stdout.contains("total: 0.0 MB on disk, 0.0 MB prunable"), list.stdout)
        XCTAssertTrue(list.stdout.contains(done.folder), list.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: done.folder + "/step-5"), "listing deletes nothing")
        let pruned = try FtlabBinary.run(["--db", db, "checkpoints", "--prune"])
        XCTAssertEqual(pruned.status, 0, pruned.stderr)
        XCTAssertTrue(pruned.stdout.contains("pruned: "), pruned.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: done.folder + "/step-5"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: done.folder + "/step-9/model.safetensors"))
    }
}

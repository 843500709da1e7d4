import XCTest
@testable import Store

/// The typed write/read API round-trips records the way runners will use it.
final class WriteReadTests: XCTestCase {
    func testUpsertModelByKey() throws {
        let store = try ResultsStore(path: ":memory:")
        let a = try store.upsertModel(ModelRecord(key: "m", family: "llama", params: 10, path: "/a",
                                                  format: "gguf", sha256: "1"))
        let b = try store.upsertModel(ModelRecord(key: "m", family: "llama", params: 10, path: "/b",
                                                  format: "safetensors", sha256: "2"))
        XCTAssertEqual(a, b)
        let models = try store.models()
        XCTAssertEqual(models.count, 1)
        XCTAssertEqual(models.first?.path, "/b")
        XCTAssertEqual(models.first?.format, "safetensors")
    }

    func testUpsertDatasetByTaskSplitHash() throws {
        let store = try ResultsStore(path: ":memory:")
        let a = try store.upsertDataset(DatasetRecord(task: "gsm8k", split: "test", size: 5, sha256: "h"))
        let b = try store.upsertDataset(DatasetRecord(task: "gsm8k", split: "test", size: 6, sha256: "h"))
        let c = try store.upsertDataset(DatasetRecord(task: "gsm8k", split: "train", size: 6, sha256: "h"))
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
        XCTAssertEqual(try store.datasets().map(\.size), [6, 6])
    }

    func testInsertAndFinishRun() throws {
        let f = try Fixture()
        var record = f.run(method: .lora)
        record.lr = 2e-4; record.rank = 8; record.alpha = 16
        let id = try f.store.insertRun(record)
        let stored = try XCTUnwrap(f.store.run(id: id))
        XCTAssertEqual(stored.uuid, stored.uuid.lowercased())
        XCTAssertNotNil(UUID(uuidString: stored.uuid))
        XCTAssertEqual(stored.status, .running)
        XCTAssertEqual(stored.rank, 8)
        XCTAssertTrue(stored.startedAt.hasSuffix("Z"))

        try f.store.insertPredictions([f.prediction(run: id, index: 0),
                                       f.prediction(run: id, index: 2, correct: false)])
        XCTAssertEqual(try f.store.existingExampleIndices(runID: id), [0, 2])
        XCTAssertEqual(try f.store.predictions(runID: id).map(\.correct), [true, false])

        try f.store.finishRun(id: id, status: .done, summary: RunSummary(n: 2, correct: 1, accuracy: 0.5))
        let finished = try XCTUnwrap(f.store.run(id: id))
        XCTAssertEqual(finished.status, .done)
        XCTAssertEqual(finished.accuracy, 0.5)
        XCTAssertNotNil(finished.finishedAt)
        XCTAssertEqual(try f.store.select(sql: "SELECT status, n, correct FROM q_runs").rows,
                       [[.text("done"), .integer(2), .integer(1)]])

        XCTAssertStoreError(try f.store.finishRun(id: 999, status: .failed)) { $0 == .noSuchRun(999) }
    }

    func testUpdateRun() throws {
        let f = try Fixture()
        let id = try f.store.insertRun(f.run())
        var run = try XCTUnwrap(f.store.run(id: id))
        run.promptFormat = "chat"
        try f.store.updateRun(run)
        XCTAssertEqual(try f.store.run(id: id)?.promptFormat, "chat")
        run.id = 777
        XCTAssertStoreError(try f.store.updateRun(run)) { $0 == .noSuchRun(777) }
    }

    func testTrainStepsAndCheckpoints() throws {
        let f = try Fixture()
        let id = try f.store.insertRun(f.run(method: .full))
        try f.store.insertTrainSteps((1...3).map { TrainStepRecord(runID: id, step: $0, loss: 3.0 / Double($0), lr: 1e-5) })
        XCTAssertEqual(try f.store.trainSteps(runID: id).map(\.step), [1, 2, 3])
        let checkpoint = try f.store.insertCheckpoint(CheckpointRecord(runID: id, step: 3, path: "/c", kind: .full))
        XCTAssertEqual(try f.store.checkpoints(runID: id).map(\.id), [checkpoint])
        XCTAssertEqual(try f.store.int("SELECT count(*) FROM q_steps WHERE run = ?", [.integer(id)]), 3)
    }

    func testMarkStaleRunsInterrupted() throws {
        let f = try Fixture()
        let dead = try f.store.insertRun(f.run(host: "here", pid: 100))
        let alive = try f.store.insertRun(f.run(host: "here", pid: 200))
        let elsewhere = try f.store.insertRun(f.run(host: "there", pid: 100))
        let noPID = try f.store.insertRun(f.run(host: "here", pid: nil))
        let finished = try f.store.insertRun(f.run(host: "here", pid: 100))
        try f.store.finishRun(id: finished, status: .done)

        let changed = try f.store.markStaleRunsInterrupted(host: "here") { $0 == 200 }
        XCTAssertEqual(changed, [dead])
        XCTAssertEqual(try f.store.run(id: dead)?.status, .interrupted)
        for id in [alive, elsewhere, noPID] { XCTAssertEqual(try f.store.run(id: id)?.status, .running) }
        XCTAssertEqual(try f.store.run(id: finished)?.status, .done)
    }
}

import XCTest
@testable import Store

/// The schema's constraints hold even against writes the typed API would never build.
final class ConstraintTests: XCTestCase {
    func testCheckRejectsBadMethodAndStatus() throws {
        let f = try Fixture()
        let id = try f.store.insertRun(f.run())
        XCTAssertStoreError(try f.store.executeRaw(sql: "UPDATE runs SET method = 'sft' WHERE id = ?",
                                                   arguments: [.integer(id)])) {
            if case .constraint = $0 { return true } else { return false }
        }
        XCTAssertStoreError(try f.store.executeRaw(sql: "UPDATE runs SET status = 'paused' WHERE id = ?",
                                                   arguments: [.integer(id)])) {
            if case .constraint = $0 { return true } else { return false }
        }
        let run = try XCTUnwrap(f.store.run(id: id))
        XCTAssertEqual(run.method, .zeroShot)
        XCTAssertEqual(run.status, .running)
    }

    func testCheckRejectsUnknownFamilyThroughTheAPI() throws {
        let store = try ResultsStore(path: ":memory:")
        XCTAssertStoreError(try store.upsertModel(ModelRecord(
            key: "x", family: "gpt2", params: 1, path: "/x", format: "gguf", sha256: "0"))) {
            if case let .constraint(message) = $0 { return message.contains("CHECK") } else { return false }
        }
        XCTAssertEqual(try store.models().count, 0)
    }

    func testForeignKeyRejectsPredictionForMissingRun() throws {
        let f = try Fixture()
        XCTAssertStoreError(try f.store.insertPredictions([f.prediction(run: 999, index: 0)])) {
            if case let .constraint(message) = $0 { return message.contains("FOREIGN KEY") } else { return false }
        }
        XCTAssertEqual(try f.store.int("SELECT count(*) FROM predictions"), 0)
    }

    func testPredictionBatchIsAtomic() throws {
        let f = try Fixture()
        let id = try f.store.insertRun(f.run())
        let batch = [0, 1, 2, 1].map { f.prediction(run: id, index: $0) }
        XCTAssertStoreError(try f.store.insertPredictions(batch)) {
            if case .constraint = $0 { return true } else { return false }
        }
        XCTAssertEqual(try f.store.existingExampleIndices(runID: id), [])

        // A batch that collides with an already stored example is refused whole, too.
        try f.store.insertPredictions([f.prediction(run: id, index: 0)])
        XCTAssertThrowsError(try f.store.insertPredictions([3, 4, 0].map { f.prediction(run: id, index: $0) }))
        XCTAssertEqual(try f.store.existingExampleIndices(runID: id), [0])
    }

    func testDuplicateTrainStepRejected() throws {
        let f = try Fixture()
        let id = try f.store.insertRun(f.run(method: .lora))
        let step = TrainStepRecord(runID: id, step: 1, loss: 2.0, lr: 1e-4)
        XCTAssertThrowsError(try f.store.insertTrainSteps([step, step]))
        XCTAssertEqual(try f.store.trainSteps(runID: id), [])
    }
}

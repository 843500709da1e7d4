@testable import Console
import Foundation
import Store
import TestSupport
import XCTest

/// An evaluation of a training run scores the tuned model, so it never runs on the checkpoint of
/// a training that has not finished (the study's run 41: the PIQA evaluation of a training run
/// that failed at step 70 of 100, whose newest checkpoint was step 47).
final class TunedEvaluationGuardTests: XCTestCase {
    func testResumingTheEvaluationOfAnUnfinishedTrainingIsRefused() throws {
        let fixture = try SessionFixture()
        let store = try ResultsStore(path: fixture.databasePath)
        let model = try XCTUnwrap(fixture.summary.modelIDs["tiny-135m"])
        let train = try store.insertRun(RunRecord(specHash: "train", modelID: model, datasetID: fixture.summary.datasetID,
                                                  method: .full, kind: .train, seed: 0, specJSON: "{}", engineVersion: "x", host: "h"))
        _ = try store.insertCheckpoint(CheckpointRecord(runID: train, step: 47, path: fixture.directory.path("step-47"), kind: .full))
        try store.finishRun(id: train, status: .failed, error: "disk full")
        let eval = try store.insertRun(RunRecord(specHash: "eval", parentRunID: train, modelID: model, datasetID: fixture.summary.datasetID,
                                                 method: .full, kind: .eval, seed: 0, specJSON: "{}", status: .queued,
                                                 engineVersion: "x", host: "h"))

        let r = fixture.run("resume run \(eval)")
        XCTAssertFalse(r.ok)
        XCTAssertTrue(r.err.contains("run \(eval) evaluates training run \(train), which is failed, not done"), r.err)
        XCTAssertTrue(r.err.contains("`resume run \(train)`"), r.err)
        XCTAssertEqual(try store.run(id: eval)?.status, .queued, "the evaluation stays queued for when its training is done")
        XCTAssertEqual(try store.existingExampleIndices(runID: eval), [])
    }
}

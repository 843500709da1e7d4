import Console
import Foundation
import Store
import TestSupport
import XCTest

/// `eval … batch W` and `eval … fp32` through a session on SmolLM2-135M (skipped without it; a
/// release-build test): the width and the weights are part of the run's spec, outputs do not
/// depend on the width, and the run's metrics carry its memory in parts.
final class EvalOptionsConsoleTests: XCTestCase {
    func testBatchWidthAndFP32AreRecordedAndWidthDoesNotChangeOutputs() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: TrainConsoleTests.model), "SmolLM2-135M not at \(TrainConsoleTests.model)")
        let directory = try TemporaryDirectory(prefix: "ftlab-eval-options")
        let out = StringSink(), err = StringSink()
        let session = try Session(databasePath: directory.path("e.sqlite"), output: out, errors: err)
        for statement in ["eval smollm2-135m-instruct on synthetic limit 6 max-tokens 24",
                          "eval smollm2-135m-instruct on synthetic limit 6 max-tokens 24 batch 2",
                          "eval smollm2-135m-instruct on synthetic limit 6 max-tokens 24 fp32"] {
            XCTAssertTrue(session.execute(statement), err.text)
        }
        let runs = try session.store.runs()
        XCTAssertEqual(runs.count, 3)
        XCTAssertTrue(runs[0].specJSON.contains("\"batchSize\":32") && !runs[0].specJSON.contains("weights"), runs[0].specJSON)
        XCTAssertTrue(runs[1].specJSON.contains("\"batchSize\":2"), runs[1].specJSON)
        XCTAssertTrue(runs[2].specJSON.contains("\"weights\":\"fp32\""), runs[2].specJSON)
        let outputs = try runs.map { try session.store.predictions(runID: $0.id!).map(\.output) }
        XCTAssertEqual(outputs[0].count, 6)
        XCTAssertEqual(outputs[1], outputs[0], "the width does not change outputs")

        // Memory in parts: the quantized run references ~100 MB of weights, the fp32 run ~540 MB.
        func metric(_ run: RunRecord, _ key: String) throws -> Int {
            let json = try XCTUnwrap(run.metricsJSON)
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            return try XCTUnwrap(object[key] as? Int, "\(key) in \(json)")
        }
        let quantized = try metric(runs[0], "weight_bytes"), fp32 = try metric(runs[2], "weight_bytes")
        XCTAssertLessThan(quantized, 120_000_000)
        XCTAssertGreaterThan(fp32, 4 * quantized)
        XCTAssertGreaterThan(try metric(runs[0], "kv_cache_peak_bytes"), 0)
    }
}

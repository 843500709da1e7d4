import Foundation
import Store
import TestSupport
import XCTest

/// The memory plan a run prints and records, against the peak RSS its own process measured
/// (each run in a fresh `ftlab` process, so the peak is that run's): within 25 % for evaluation,
/// LoRA and full fine-tuning of SmolLM2-135M. And the refusal: a run that cannot fit is not
/// started, nothing is recorded, and the message names the estimate and what would fit.
final class MemoryEstimateTests: XCTestCase {
    static let model = ((ProcessInfo.processInfo.environment["FTLAB_HOME"] ?? (NSHomeDirectory() + "/.cache/ftlab"))
        as NSString).appendingPathComponent("models/smollm2-135m-instruct.gguf")

    func testEstimatesMatchMeasuredPeakRSS() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Self.model), "SmolLM2-135M not at \(Self.model)")
        let directory = try TemporaryDirectory(prefix: "ftlab-memory")
        let statements = [
            "eval smollm2-135m-instruct on synthetic limit 64",
            "train smollm2-135m-instruct on synthetic with lora steps 2 batch 4 seq 128",
            "train smollm2-135m-instruct on synthetic with full steps 2 batch 4 seq 128",
        ]
        for (i, statement) in statements.enumerated() {
            let db = directory.path("run\(i).sqlite")
            let result = try FtlabBinary.run(["--db", db, "-c", statement])
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertTrue(result.stderr.contains("memory: ≈"), "the start line shows the estimate: \(result.stderr)")
            let run = try XCTUnwrap(try ResultsStore(path: db).run(id: 1))
            let metrics = try XCTUnwrap(JSONSerialization.jsonObject(with: Data((run.metricsJSON ?? "{}").utf8)) as? [String: Any])
            let estimate = try XCTUnwrap(metrics["memory_estimate_bytes"] as? Int, "estimate recorded on the run")
            let measured = Int(try XCTUnwrap(run.peakRSSBytes))
            let ratio = Double(estimate) / Double(measured)
            print(String(format: "[memory] %@: estimate %.0f MB, measured peak RSS %.0f MB (ratio %.2f)",
                         statement, Double(estimate) / 1e6, Double(measured) / 1e6, ratio))
            XCTAssertEqual(ratio, 1, accuracy: 0.25, "\(statement): estimate \(estimate) vs peak RSS \(measured)")
        }
    }

    func testRunThatCannotFitIsRefusedBeforeLoading() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Self.model), "SmolLM2-135M not at \(Self.model)")
        let directory = try TemporaryDirectory(prefix: "ftlab-memory")
        let db = directory.path("refused.sqlite")
        let result = try FtlabBinary.run(["--db", db, "--memory", "1500M", "-c",
                                          "train smollm2-135m-instruct on synthetic with full steps 2 batch 8 seq 256"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("full fine-tuning of smollm2-135m-instruct"), result.stderr)
        XCTAssertTrue(result.stderr.contains("1.5 GB available — not started"), result.stderr)
        XCTAssertTrue(result.stderr.contains("lora needs ≈"), "names what would fit: \(result.stderr)")
        XCTAssertEqual(try ResultsStore(path: db).runs().count, 0, "nothing recorded")
        // The same run under a limit it fits in is planned with recomputation when stored
        // activations alone would not fit.
        let tight = try FtlabBinary.run(["--db", db, "--memory", "2G", "-c",
                                         "train smollm2-135m-instruct on synthetic with lora steps 1 batch 8 seq 512"])
        XCTAssertEqual(tight.status, 0, tight.stderr)
        XCTAssertTrue(tight.stderr.contains("recomputed"), tight.stderr)
        let bad = try FtlabBinary.run(["--db", db, "--memory", "lots", "-c", "runs"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--memory"), bad.stderr)
    }
}
